//! The `cocreate` command (see [`cocreate::app`]).

fn main() -> std::process::ExitCode {
    cocreate::app::main()
}
