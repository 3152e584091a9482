//! Citizen groups and agency kinds (MODEL.md sections 11.1 and 11.2): what
//! a scenario gives for each, how its values are resolved from the
//! section-2 defaults, and the exact group sizes.
//!
//! A scenario without groups has one group, `all`; one without kinds has
//! one kind, `all`, with every agency. Their values are then the section-2
//! parameters themselves, so that PVC-1 scenarios run bit for bit as before.

use super::params::{Domain, ParamKey, Params};
use serde::Serialize;

/// The most groups, and the most kinds, a scenario may have (a citizen's
/// group and an agency's kind are kept in one byte, and targets as bit sets).
pub const MAX_PARTS: usize = 64;

/// The name of the implicit group or kind.
pub const ALL: &str = "all";

/// A value that each citizen group has of its own (MODEL.md 11.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    /// Mean initial trust.
    TrustMean,
    /// Mean civic motivation.
    MotivationMean,
    /// Mean capability.
    CapabilityMean,
    /// Share of the group digitally excluded, before inhibitors.
    ExcludedShare,
}

/// A value that each agency kind has of its own (MODEL.md 11.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KindKey {
    /// Mean initial openness of its agencies.
    OpennessMean,
    /// Mean responsiveness of its agencies.
    ResponsivenessMean,
    /// The kind's total capacity per step, as a share of N.
    CapacityShare,
    /// L.
    LegalLevel,
    /// F.
    Feedback,
    /// D.
    Codestruction,
}

impl GroupKey {
    /// Every group value, in file order.
    pub const ALL: [GroupKey; 4] = [
        GroupKey::TrustMean,
        GroupKey::MotivationMean,
        GroupKey::CapabilityMean,
        GroupKey::ExcludedShare,
    ];

    /// The key inside a group (`trust_mean`).
    pub fn name(self) -> &'static str {
        self.dotted().split_once('.').map_or("", |(_, f)| f)
    }

    /// The section-2 key it defaults to (`citizens.trust_mean`), also the
    /// key an inhibitor's effect names; `citizens.excluded_share` has no
    /// section-2 parameter (its default is 0).
    pub fn dotted(self) -> &'static str {
        match self {
            GroupKey::TrustMean => "citizens.trust_mean",
            GroupKey::MotivationMean => "citizens.motivation_mean",
            GroupKey::CapabilityMean => "citizens.capability_mean",
            GroupKey::ExcludedShare => "citizens.excluded_share",
        }
    }

    /// The allowed values (MODEL.md section 9).
    pub fn domain(self) -> Domain {
        match self {
            GroupKey::ExcludedShare => Domain::Unit,
            _ => Domain::OpenUnit,
        }
    }

    /// Looks a key up by its name inside a group (`trust_mean`).
    pub fn from_name(name: &str) -> Option<GroupKey> {
        GroupKey::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Looks a key up by its dotted name (`citizens.trust_mean`).
    pub fn from_dotted(name: &str) -> Option<GroupKey> {
        GroupKey::ALL.into_iter().find(|k| k.dotted() == name)
    }

    fn default_in(self, params: &Params) -> f64 {
        let c = &params.citizens;
        match self {
            GroupKey::TrustMean => c.trust_mean,
            GroupKey::MotivationMean => c.motivation_mean,
            GroupKey::CapabilityMean => c.capability_mean,
            GroupKey::ExcludedShare => 0.0,
        }
    }
}

impl KindKey {
    /// Every kind value, in file order.
    pub const ALL: [KindKey; 6] = [
        KindKey::OpennessMean,
        KindKey::ResponsivenessMean,
        KindKey::CapacityShare,
        KindKey::LegalLevel,
        KindKey::Feedback,
        KindKey::Codestruction,
    ];

    /// The key inside a kind (`legal_level`).
    pub fn name(self) -> &'static str {
        self.dotted().split_once('.').map_or("", |(_, f)| f)
    }

    /// The section-2 key it defaults to (`governance.legal_level`).
    pub fn dotted(self) -> &'static str {
        self.param().name()
    }

    /// The section-2 parameter it defaults to.
    pub fn param(self) -> ParamKey {
        let name = match self {
            KindKey::OpennessMean => "agencies.openness_mean",
            KindKey::ResponsivenessMean => "agencies.responsiveness_mean",
            KindKey::CapacityShare => "agencies.capacity_share",
            KindKey::LegalLevel => "governance.legal_level",
            KindKey::Feedback => "governance.feedback",
            KindKey::Codestruction => "governance.codestruction",
        };
        ParamKey::from_name(name).expect("a parameter of MODEL.md section 2")
    }

    /// The allowed values (MODEL.md section 9).
    pub fn domain(self) -> Domain {
        self.param().domain()
    }

    /// Looks a key up by its name inside a kind (`legal_level`).
    pub fn from_name(name: &str) -> Option<KindKey> {
        KindKey::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Looks a key up by its dotted name (`governance.legal_level`).
    pub fn from_dotted(name: &str) -> Option<KindKey> {
        KindKey::ALL.into_iter().find(|k| k.dotted() == name)
    }

    fn default_in(self, params: &Params) -> f64 {
        let (a, g) = (&params.agencies, &params.governance);
        match self {
            KindKey::OpennessMean => a.openness_mean,
            KindKey::ResponsivenessMean => a.responsiveness_mean,
            KindKey::CapacityShare => a.capacity_share,
            KindKey::LegalLevel => g.legal_level,
            KindKey::Feedback => g.feedback,
            KindKey::Codestruction => g.codestruction,
        }
    }
}

/// A citizen group as a scenario gives it: its share and the values it
/// sets itself (`None`: the section-2 default).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupSpec {
    /// Its name, unique among groups.
    pub name: String,
    /// Its share of the citizens, > 0; the shares sum to 1.
    pub share: f64,
    /// Its own values, by [`GroupKey`].
    pub own: [Option<f64>; 4],
}

/// An agency kind as a scenario gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct KindSpec {
    /// Its name, unique among kinds.
    pub name: String,
    /// Its number of agencies, >= 1.
    pub count: u32,
    /// The share of participants who turn to it (`None`: count / M).
    pub demand: Option<f64>,
    /// Its own values, by [`KindKey`].
    pub own: [Option<f64>; 6],
}

/// A citizen group, resolved: its size and its values before and after
/// the inhibitors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    /// Its name (`all` for the implicit group).
    pub name: String,
    /// Its share of the citizens.
    pub share: f64,
    /// Its exact number of citizens.
    pub size: u32,
    /// Its values by [`GroupKey`], before the inhibitors.
    #[serde(serialize_with = "group_values")]
    pub before: [f64; 4],
    /// Its values after the inhibitors: those the run uses.
    #[serde(serialize_with = "group_values")]
    pub after: [f64; 4],
}

/// An agency kind, resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Kind {
    /// Its name (`all` for the implicit kind).
    pub name: String,
    /// Its number of agencies.
    pub count: u32,
    /// The index of its first agency (agencies are numbered kind by kind).
    pub first: u32,
    /// The share of participants who turn to it.
    pub demand: f64,
    /// Its values by [`KindKey`], before the inhibitors.
    #[serde(serialize_with = "kind_values")]
    pub before: [f64; 6],
    /// Its values after the inhibitors.
    #[serde(serialize_with = "kind_values")]
    pub after: [f64; 6],
}

impl Group {
    /// One value, after the inhibitors.
    pub fn get(&self, key: GroupKey) -> f64 {
        self.after[key as usize]
    }
}

impl Kind {
    /// One value, after the inhibitors.
    pub fn get(&self, key: KindKey) -> f64 {
        self.after[key as usize]
    }

    /// The capacity per step of each of its agencies (MODEL.md 11.2):
    /// ceil(capacity_share N / count), the quotient rounded to 9 decimals.
    pub fn capacity(&self, capacity_share: f64, citizens: u32) -> u32 {
        super::rules::capacity(capacity_share, citizens, self.count)
    }
}

impl Serialize for GroupSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("share", &self.share)?;
        for k in GroupKey::ALL {
            if let Some(v) = self.own[k as usize] {
                map.serialize_entry(k.name(), &v)?;
            }
        }
        map.end()
    }
}

impl Serialize for KindSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("count", &self.count)?;
        if let Some(d) = self.demand {
            map.serialize_entry("demand", &d)?;
        }
        for k in KindKey::ALL {
            if let Some(v) = self.own[k as usize] {
                map.serialize_entry(k.name(), &v)?;
            }
        }
        map.end()
    }
}

fn group_values<S: serde::Serializer>(v: &[f64; 4], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(4))?;
    for k in GroupKey::ALL {
        map.serialize_entry(k.name(), &v[k as usize])?;
    }
    map.end()
}

fn kind_values<S: serde::Serializer>(v: &[f64; 6], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(6))?;
    for k in KindKey::ALL {
        map.serialize_entry(k.name(), &v[k as usize])?;
    }
    map.end()
}

/// The groups of a scenario with `citizens` citizens, resolved from their
/// specs and the section-2 defaults (before inhibitors, so `before` and
/// `after` are equal here). Without specs, the one group `all`.
pub fn resolve_groups(params: &Params, specs: &[GroupSpec]) -> Vec<Group> {
    if specs.is_empty() {
        let values = GroupKey::ALL.map(|k| k.default_in(params));
        return vec![Group {
            name: ALL.into(),
            share: 1.0,
            size: params.population.citizens,
            before: values,
            after: values,
        }];
    }
    let shares: Vec<f64> = specs.iter().map(|g| g.share).collect();
    let sizes = group_sizes(&shares, params.population.citizens);
    specs
        .iter()
        .zip(sizes)
        .map(|(g, size)| {
            let values = GroupKey::ALL.map(|k| g.own[k as usize].unwrap_or(k.default_in(params)));
            Group {
                name: g.name.clone(),
                share: g.share,
                size,
                before: values,
                after: values,
            }
        })
        .collect()
}

/// The kinds of a scenario with `agencies` agencies in all, resolved.
/// Without specs, the one kind `all` with every agency, whose values are
/// the section-2 parameters themselves.
pub fn resolve_kinds(params: &Params, specs: &[KindSpec]) -> Vec<Kind> {
    let m = params.population.agencies;
    if specs.is_empty() {
        let values = KindKey::ALL.map(|k| k.default_in(params));
        return vec![Kind {
            name: ALL.into(),
            count: m,
            first: 0,
            demand: 1.0,
            before: values,
            after: values,
        }];
    }
    let mut first = 0;
    specs
        .iter()
        .map(|q| {
            let values = KindKey::ALL.map(|k| match (q.own[k as usize], k) {
                (Some(v), _) => v,
                // a kind's default capacity is its agencies' part of the total
                (None, KindKey::CapacityShare) if q.count != m => {
                    params.agencies.capacity_share * f64::from(q.count) / f64::from(m)
                }
                (None, _) => k.default_in(params),
            });
            let kind = Kind {
                name: q.name.clone(),
                count: q.count,
                first,
                demand: q.demand.unwrap_or(f64::from(q.count) / f64::from(m)),
                before: values,
                after: values,
            };
            first += q.count;
            kind
        })
        .collect()
}

/// Exact group sizes (MODEL.md 11.1): n_g = floor(share_g N), and the
/// citizens left over go one each to the groups with the largest
/// fractional part share_g N - n_g, ties to the group listed first.
///
/// The shares sum to 1 within 1e-9, so with a billion citizens or more the
/// floors can leave more citizens over than there are groups, or sum to
/// more than N. Then the rule goes on round by round (one more each, in
/// the same order), or takes one each back from the groups with the
/// smallest fractional part, so that the sizes always sum to N.
pub fn group_sizes(shares: &[f64], citizens: u32) -> Vec<u32> {
    let n = f64::from(citizens);
    let mut sizes: Vec<u32> = shares.iter().map(|s| (s * n).floor() as u32).collect();
    let given: i64 = sizes.iter().map(|&s| i64::from(s)).sum();
    let mut left = i64::from(citizens) - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    let fractions: Vec<f64> = shares
        .iter()
        .zip(&sizes)
        .map(|(s, &size)| s * n - f64::from(size))
        .collect();
    // a stable sort keeps the file order among equal fractional parts
    order.sort_by(|&a, &b| fractions[b].total_cmp(&fractions[a]));
    while left > 0 {
        for &g in order.iter().take(left as usize) {
            sizes[g] += 1;
            left -= 1;
        }
    }
    while left < 0 {
        let before = left;
        for &g in order.iter().rev() {
            if left < 0 && sizes[g] > 0 {
                sizes[g] -= 1;
                left += 1;
            }
        }
        if left == before {
            break;
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_exact_by_largest_remainder() {
        // 0.7 * 10 = 7, 0.3 * 10 = 3: nothing left over
        assert_eq!(group_sizes(&[0.7, 0.3], 10), [7, 3]);
        // 1/3 each of 10: 3 each, the one left goes to the first (a tie)
        let third = 1.0 / 3.0;
        assert_eq!(group_sizes(&[third, third, third], 10), [4, 3, 3]);
        // 11 citizens: 3.67 each: two left over go to the first two
        assert_eq!(group_sizes(&[third, third, third], 11), [4, 4, 3]);
        // largest fractional parts first: 0.25 * 7 = 1.75,
        // 0.5 * 7 = 3.5, 0.25 * 7 = 1.75; two left over, to the two 1.75s
        assert_eq!(group_sizes(&[0.25, 0.5, 0.25], 7), [2, 3, 2]);
        assert_eq!(group_sizes(&[0.1, 0.2, 0.7], 10_001), [1000, 2000, 7001]);
        // the sizes always sum to N
        for n in [1, 2, 3, 97, 1000, 12_345] {
            for shares in [[0.2, 0.3, 0.5], [0.01, 0.01, 0.98], [third, third, third]] {
                let sizes = group_sizes(&shares, n);
                assert_eq!(sizes.iter().sum::<u32>(), n, "{shares:?} of {n}");
            }
        }
        // a tiny group in a small population gets no citizen
        assert_eq!(group_sizes(&[0.01, 0.99], 10), [0, 10]);
        // shares within 1e-9 of 1, at 4 billion citizens: the sizes still
        // sum to N
        for shares in [[0.5, 0.4999999991], [0.5, 0.5000000009]] {
            let sizes = group_sizes(&shares, 4_000_000_000);
            assert_eq!(
                sizes.iter().map(|&s| u64::from(s)).sum::<u64>(),
                4_000_000_000
            );
        }
    }

    #[test]
    fn without_specs_there_is_one_group_and_one_kind_with_the_section_2_values() {
        let p = Params::default();
        let g = resolve_groups(&p, &[]);
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].name.as_str(), g[0].size), ("all", 10_000));
        assert_eq!(g[0].get(GroupKey::TrustMean), 0.6);
        assert_eq!(g[0].get(GroupKey::ExcludedShare), 0.0);
        let k = resolve_kinds(&p, &[]);
        assert_eq!(
            (k[0].name.as_str(), k[0].count, k[0].demand),
            ("all", 20, 1.0)
        );
        assert_eq!(k[0].get(KindKey::CapacityShare), 0.1);
        assert_eq!(k[0].get(KindKey::LegalLevel), 0.9);
    }

    #[test]
    fn own_values_replace_the_defaults_and_kinds_share_the_capacity() {
        let p = Params::default();
        let specs = [
            KindSpec {
                name: "municipal".into(),
                count: 15,
                demand: None,
                own: [None, None, None, Some(0.2), None, None],
            },
            KindSpec {
                name: "national".into(),
                count: 5,
                demand: None,
                own: [Some(0.3), None, Some(0.05), None, None, None],
            },
        ];
        let k = resolve_kinds(&p, &specs);
        assert_eq!((k[0].first, k[1].first), (0, 15));
        assert_eq!((k[0].demand, k[1].demand), (0.75, 0.25));
        assert_eq!(k[0].get(KindKey::LegalLevel), 0.2);
        assert_eq!(k[1].get(KindKey::LegalLevel), 0.9);
        assert!((k[0].get(KindKey::CapacityShare) - 0.075).abs() < 1e-15);
        assert_eq!(k[1].get(KindKey::CapacityShare), 0.05);
        assert_eq!(k[1].get(KindKey::OpennessMean), 0.3);
        // 0.075 of 10,000 citizens over 15 agencies: 50 each
        assert_eq!(k[0].capacity(k[0].get(KindKey::CapacityShare), 10_000), 50);
    }

    #[test]
    fn names_round_trip() {
        for k in GroupKey::ALL {
            assert_eq!(GroupKey::from_name(k.name()), Some(k));
            assert_eq!(GroupKey::from_dotted(k.dotted()), Some(k));
        }
        for k in KindKey::ALL {
            assert_eq!(KindKey::from_name(k.name()), Some(k));
            assert_eq!(KindKey::from_dotted(k.dotted()), Some(k));
        }
    }
}
