//! Command-line arguments -> configuration -> network description: any
//! bytes give a configuration or an error, never a panic or a hang.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use spindle::args::RunArgs;

#[derive(Parser)]
#[command(allow_negative_numbers = true)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
}

fuzz_target!(|data: &[u8]| {
    // Arguments are separated by NUL bytes, as in /proc/<pid>/cmdline.
    let text = String::from_utf8_lossy(data);
    let args = std::iter::once("spindle").chain(text.split('\0'));
    let Ok(cli) = Cli::try_parse_from(args) else {
        return;
    };
    let Ok(cfg) = cli.run.validate() else {
        return;
    };
    if let Ok(b) = spindle::brunel::build(&cfg.params) {
        let _ = spindle::network::estimate_bytes(&b.net, cfg.threads);
        let _ = b.net.min_delay();
    }
});
