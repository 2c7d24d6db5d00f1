//! The `horde` binary: a runtime and the CLI; everything else lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(horde::cli::exit::ERROR);
        }
    };
    runtime.block_on(horde::cli::main())
}
