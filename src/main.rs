#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    rapport::cli::main()
}

// The wasm build is a library loaded by the extension; this binary is native only.
#[cfg(target_arch = "wasm32")]
fn main() {}
