//! Every shipped scenario loads, is valid, and says what it represents.

use cocreate::Scenario;

#[test]
fn every_shipped_scenario_loads_and_has_a_description() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            s.model()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                !s.description.is_empty(),
                "{} has no description",
                path.display()
            );
            assert_eq!(
                Some(s.name.as_str()),
                path.file_stem().and_then(|n| n.to_str())
            );
            names.push(s.name);
        }
    }
    names.sort();
    // baseline, combined, legal-reform and one file per inhibitor
    assert_eq!(names.len(), 11, "{names:?}");
    for inhibitor in cocreate::Inhibitor::ALL {
        let s = Scenario::load(format!("{dir}/{}.toml", inhibitor.name()).as_ref()).unwrap();
        assert_eq!(s.inhibitors.get(inhibitor), 1.0);
        assert_eq!(s.inhibitors.active().count(), 1);
    }
    let base = Scenario::load(format!("{dir}/baseline.toml").as_ref()).unwrap();
    assert_eq!(base.params, Scenario::baseline().params);
}
