//! The floor the whole-process benchmarks (`scripts/bench-process`) hold
//! compose2ecs against: what any tool that reads a compose file pays, a bare
//! `serde_norway` parse of the file and its JSON printed to stdout.
//!
//! ```sh
//! cargo run --release -p compose2ecs-core --example yaml_floor -- compose.yaml > /dev/null
//! ```

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: yaml_floor FILE")?;
    let text = std::fs::read_to_string(path)?;
    let value: serde_json::Value = serde_norway::from_str(&text)?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &value)?;
    out.write_all(b"\n")?;
    Ok(())
}
