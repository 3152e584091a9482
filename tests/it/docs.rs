//! The README documents every parameter and inhibitor the code knows.

use cocreate::Inhibitor;
use cocreate::scenario::ParamKey;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn readme_lists_every_parameter_with_its_default() {
    let text = readme();
    let defaults = cocreate::scenario::Params::default();
    for key in ParamKey::all() {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", key.name())))
            .unwrap_or_else(|| panic!("README has no row for `{key}`"));
        let default = row.split('|').nth(2).unwrap().trim().trim_matches('"');
        let value = key.get(&defaults);
        let expected = value.to_string();
        let matches = match value.as_f64() {
            Some(x) => default.parse::<f64>().ok() == Some(x),
            None => expected.trim_matches('"') == default,
        };
        assert!(
            matches,
            "README default of `{key}` is {default}, the code's is {expected}"
        );
    }
}

#[test]
fn readme_lists_every_inhibitor() {
    let text = readme();
    for i in Inhibitor::ALL {
        assert!(text.contains(&format!("| `{}` |", i.name())), "{i}");
    }
}

#[test]
fn readme_lists_every_subcommand() {
    let text = readme();
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // a command's first line; its description continues further in
        .filter(|l| !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    for c in commands {
        assert!(
            text.contains(&format!("| `cocreate {c}")),
            "the README's command table has no row for `cocreate {c}`"
        );
    }
}
