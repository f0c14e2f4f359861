//! Prints the facts extracted from source files (debugging aid):
//! `cargo run -p mcpwarden-lang --example facts -- FILE...`

fn main() {
    for path in std::env::args().skip(1) {
        let Some(lang) = mcpwarden_lang::Lang::from_path(&path) else {
            eprintln!("{path}: not a source file");
            continue;
        };
        match std::fs::read(&path) {
            Ok(src) => match mcpwarden_lang::extract(lang, &src) {
                Ok(f) => println!("== {path}\n{f:#?}"),
                Err(e) => eprintln!("{path}: {e:?}"),
            },
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
