"""PVC-1 written for Mesa, the Python agent-based modelling framework.

This is the model of docs/MODEL.md implemented the way a Mesa user would
write it: agents are objects with methods, the model steps through the
phases with AgentSet.do, and randomness comes from the model's generators.
It exists to compare speed and results with cocreate (benches/peers/compare.py);
it follows MODEL.md sections 1 to 6 as written:

- phase 1: every citizen decides from the previous step's state;
- phase 2: participants in a uniformly random order each pick an agency;
  an agency serves until it has served K citizens this step;
- phases 3 to 5: value potential, outcome, trust and private value;
- phase 6: agency learning; phase 7: synchronous social influence;
- phase 8: interventions.

The network is networkx's watts_strogatz_graph, which rewires exactly as
MODEL.md section 1 describes (edges visited for d = 1..k/2, then by node;
the new end uniform among non-neighbours; a saturated node keeps its edge).
"""

import math

import mesa
import networkx as nx

INHIBITORS = [
    "low_trust",
    "low_motivation",
    "digital_divide",
    "risk_averse_culture",
    "limited_capacity",
    "missing_legal_framework",
    "no_feedback",
    "misaligned_goals",
]


def effective(params, inhibitors):
    """Applies the inhibitors to a copy of the parameters (MODEL.md section 5)."""
    p = {section: dict(values) for section, values in params.items()}
    x = {name: inhibitors.get(name, 0.0) for name in INHIBITORS}
    p["citizens"]["trust_mean"] *= 1 - 0.75 * x["low_trust"]
    p["citizens"]["motivation_mean"] *= 1 - 0.75 * x["low_motivation"]
    excluded_share = 0.4 * x["digital_divide"]
    p["agencies"]["openness_mean"] *= 1 - 0.75 * x["risk_averse_culture"]
    p["agencies"]["capacity_share"] *= 1 - 0.9 * x["limited_capacity"]
    p["governance"]["legal_level"] *= 1 - x["missing_legal_framework"]
    p["governance"]["feedback"] *= 1 - x["no_feedback"]
    p["governance"]["codestruction"] += 0.25 * x["misaligned_goals"]
    return p, excluded_share


def capacity(share, citizens, agencies):
    return math.ceil(round(share * citizens / agencies, 9))


class Citizen(mesa.Agent):
    def __init__(self, model, trust, motivation, capability, excluded):
        super().__init__(model)
        self.trust = trust
        self.motivation = motivation
        self.capability = capability
        self.excluded = excluded
        self.participated = False
        self.next_participated = False
        self.next_trust = trust
        self.value = 0.0
        self.neighbours = []

    def decide(self):
        b = self.model.p["participation"]
        share = 0.0
        if self.neighbours:
            share = sum(n.participated for n in self.neighbours) / len(self.neighbours)
        u = (
            b["intercept"]
            + b["trust"] * self.trust
            + b["motivation"] * self.motivation
            + b["capability"] * self.capability
            + b["social"] * share
            - (b["exclusion_penalty"] if self.excluded else 0.0)
        )
        self.next_participated = self.random.random() < 1.0 / (1.0 + math.exp(-u))

    def commit_participation(self):
        self.participated = self.next_participated

    def influence(self):
        if self.neighbours:
            w = self.model.p["trust"]["social_weight"]
            mean = sum(n.trust for n in self.neighbours) / len(self.neighbours)
            self.next_trust = (1 - w) * self.trust + w * mean
        else:
            self.next_trust = self.trust

    def commit_trust(self):
        self.trust = self.next_trust


class Agency(mesa.Agent):
    def __init__(self, model, openness, responsiveness):
        super().__init__(model)
        self.openness = openness
        self.responsiveness = responsiveness
        self.served = self.realized = self.destroyed = 0

    def learn(self):
        if self.served > 0:
            k = self.model.capacity
            l = self.model.p["learning"]
            o = self.openness
            o = o + l["gain"] * (1 - o) * self.realized / k - l["loss"] * o * self.destroyed / k
            self.openness = min(1.0, max(0.0, o))


class PVC1(mesa.Model):
    def __init__(self, params, inhibitors, interventions, seed):
        super().__init__(seed=seed)  # seeds both model.random and model.rng
        self.p, excluded_share = effective(params, inhibitors)
        self.interventions = interventions
        p = self.p
        n = p["population"]["citizens"]
        m = p["population"]["agencies"]
        k = p["citizens"]["concentration"]

        def beta(mean):
            return float(self.rng.beta(mean * k, (1 - mean) * k))

        for _ in range(n):
            excluded = self.random.random() < excluded_share
            capability = beta(p["citizens"]["capability_mean"]) * (0.3 if excluded else 1.0)
            Citizen(
                self,
                beta(p["citizens"]["trust_mean"]),
                beta(p["citizens"]["motivation_mean"]),
                capability,
                excluded,
            )
        for _ in range(m):
            Agency(
                self,
                beta(p["agencies"]["openness_mean"]),
                beta(p["agencies"]["responsiveness_mean"]),
            )
        self.citizens = self.agents_by_type[Citizen]
        self.agencies_list = list(self.agents_by_type[Agency])
        citizens = list(self.citizens)
        if p["network"]["kind"] == "watts-strogatz" and p["network"]["k"] > 0:
            graph = nx.watts_strogatz_graph(
                n, p["network"]["k"], p["network"]["rewire"], seed=self.random.getrandbits(32)
            )
            for i, c in enumerate(citizens):
                c.neighbours = [citizens[j] for j in graph.neighbors(i)]
        self.legal_level = p["governance"]["legal_level"]
        self.feedback = p["governance"]["feedback"]
        self.codestruction = p["governance"]["codestruction"]
        self.capacity = capacity(p["agencies"]["capacity_share"], n, m)
        self.public_value = 0.0
        self.t = 0
        self.history = []
        self.initial_mean_trust = self.mean_trust()

    def mean_trust(self):
        return sum(c.trust for c in self.citizens) / len(self.citizens)

    def step(self):
        p = self.p
        v = p["value"]
        tr = p["trust"]
        # phase 1
        self.citizens.do("decide")
        self.citizens.do("commit_participation")
        # phase 2 to 5
        participants = [c for c in self.citizens if c.participated]
        self.random.shuffle(participants)
        for a in self.agencies_list:
            a.served = a.realized = a.destroyed = 0
        rec = dict.fromkeys(
            ["participants", "served", "unserved", "realized", "blocked_legal",
             "not_implemented", "co_destroyed"], 0)
        rec.update(value_potential=0.0, value_realized=0.0, value_destroyed=0.0)
        rec["participants"] = len(participants)
        sigma = v["noise"]
        for c in participants:
            agency = self.random.choice(self.agencies_list)
            feedback = False
            if agency.served < self.capacity:
                agency.served += 1
                rec["served"] += 1
                z = self.random.gauss(0.0, 1.0)
                potential = (
                    v["productivity"]
                    * c.capability ** v["alpha"]
                    * agency.openness ** (1 - v["alpha"])
                    * math.exp(sigma * z - sigma * sigma / 2)
                )
                rec["value_potential"] += potential
                if self.random.random() < self.codestruction:
                    outcome = "co_destroyed"
                    lost = v["destruction_loss"] * potential
                    agency.destroyed += 1
                    rec["value_realized"] -= lost
                    rec["value_destroyed"] += lost
                    self.public_value -= lost
                elif self.random.random() < 1 - self.legal_level:
                    outcome = "blocked_legal"
                elif self.random.random() < 1 - agency.responsiveness:
                    outcome = "not_implemented"
                else:
                    outcome = "realized"
                    agency.realized += 1
                    rec["value_realized"] += potential
                    c.value += potential
                    self.public_value += (1 + v["spillover"]) * potential
            else:
                outcome = "unserved"
            rec[outcome] += 1
            if outcome in ("blocked_legal", "not_implemented", "unserved"):
                feedback = self.random.random() < self.feedback
            if outcome == "realized":
                c.trust += tr["gain"] * (1 - c.trust)
            elif outcome == "co_destroyed":
                c.trust -= min(1.0, 2 * tr["loss"]) * c.trust
            else:
                soft = tr["feedback_softening"] if feedback else 0.0
                c.trust -= tr["loss"] * c.trust * (1 - soft)
        # phase 6
        for a in self.agencies_list:
            a.learn()
        # phase 7
        self.citizens.do("influence")
        self.citizens.do("commit_trust")
        rec["mean_trust"] = self.mean_trust()
        rec["mean_openness"] = sum(a.openness for a in self.agencies_list) / len(self.agencies_list)
        rec["public_value"] = self.public_value
        self.history.append(rec)
        # phase 8
        for iv in self.interventions:
            if iv["at"] != self.t:
                continue
            if iv["kind"] == "set":
                key = iv["key"].split(".")[-1]
                if key == "capacity_share":
                    pop = p["population"]
                    self.capacity = capacity(iv["value"], pop["citizens"], pop["agencies"])
                else:
                    setattr(self, key, iv["value"])
            elif iv["kind"] == "trust_campaign":
                for c in self.citizens:
                    c.trust += iv["delta"] * (1 - c.trust)
            elif iv["kind"] == "openness_program":
                for a in self.agencies_list:
                    a.openness += iv["delta"] * (1 - a.openness)
        self.t += 1

    def record(self):
        """The per-replication figures of MODEL.md section 4."""
        n = len(self.citizens)
        s = self.history
        total = {key: sum(r[key] for r in s) for key in s[0] if isinstance(s[0][key], int)}
        realized = sum(r["value_realized"] for r in s)
        potential = sum(r["value_potential"] for r in s)
        values = sorted(c.value for c in self.citizens)
        tot = sum(values)
        gini = 0.0
        if tot > 0:
            gini = 2 * sum((i + 1) * x for i, x in enumerate(values)) / (n * tot) - (n + 1) / n
        final = self.mean_trust()
        return {
            "total_value_realized": realized,
            "total_value_potential": potential,
            "realization_ratio": realized / potential if potential else 0.0,
            "public_value": self.public_value,
            "participation_rate": sum(r["participants"] for r in s) / n / len(s),
            "service_rate": total["served"] / total["participants"] if total["participants"] else 0.0,
            "final_mean_trust": final,
            "trust_change": final - self.initial_mean_trust,
            "gini": gini,
        }


def run(params, inhibitors, interventions, seed):
    model = PVC1(params, inhibitors, interventions, seed)
    for _ in range(params["run"]["steps"]):
        model.step()
    return model.record()
