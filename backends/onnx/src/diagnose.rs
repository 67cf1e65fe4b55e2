//! `stemset doctor` for the onnx backend: which ONNX Runtime is found and from where, and
//! whether a tiny graph runs on the CPU and, when the runtime has it, on CUDA.

use ort::ep::ExecutionProvider;
use ort::session::Session;
use ort::value::TensorRef;
use stemset_sdk::diagnosis::Finding;
use stemset_sdk::settings::BackendSettings;

use crate::runtime;
use crate::session::{Device, OnnxSettings};

const RUNTIME: &str = "backend onnx: runtime";

pub fn diagnose(settings: &BackendSettings) -> Vec<Finding> {
    let settings = match OnnxSettings::from_backend(settings) {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::failure(
                "backend onnx: settings",
                e,
                "fix [backends.onnx] in plugins.toml",
            )];
        }
    };
    let configured = settings.library.as_deref();
    let path = match runtime::locate(configured) {
        Ok(p) => p,
        Err(e) => return vec![not_found(&e)],
    };
    let env = match runtime::environment(configured) {
        Ok(env) => env,
        Err(e) => return vec![not_found(&e)],
    };
    let mut findings = vec![Finding::ok(
        RUNTIME,
        format!("ONNX Runtime {} from {}", version(&path), path.display()),
    )];

    findings.push(match run_tiny_graph(env, None) {
        Ok(()) => Finding::ok(
            "backend onnx: cpu",
            match settings.intra_threads() {
                1 => "a test graph ran (1 thread per model)".to_string(),
                n => format!("a test graph ran ({n} threads per model)"),
            },
        ),
        Err(e) => Finding::failure(
            "backend onnx: cpu",
            format!("a test graph failed: {e}"),
            "reinstall ONNX Runtime: stemset runtime install --force".to_string(),
        ),
    });

    let device = settings.device;
    let gpu = match device {
        Device::Cuda(id) => id,
        Device::Cpu | Device::Auto => 0,
    };
    let compiled = ort::ep::CUDA::is_available().unwrap_or(false);
    let check = format!("backend onnx: cuda:{gpu}");
    let install = "run `stemset runtime install --gpu` (onnxruntime-gpu and the NVIDIA libraries; needs an NVIDIA driver), or set device = \"auto\" or \"cpu\" in [backends.onnx]";
    findings.push(match (compiled, device) {
        (false, Device::Cpu) => Finding::ok(
            "backend onnx: cuda",
            "not used (device = \"cpu\"; this ONNX Runtime has no CUDA provider)",
        ),
        (false, Device::Auto) => Finding::ok(
            "backend onnx: cuda",
            "not available (this ONNX Runtime has no CUDA provider): device = \"auto\" runs on the CPU",
        ),
        (false, Device::Cuda(_)) => Finding::failure(
            check,
            "device = \"cuda\" but this ONNX Runtime has no CUDA provider: every run is refused",
            install,
        ),
        (true, device) => match (run_tiny_graph(env, Some(gpu)), device) {
            (Ok(()), Device::Cuda(_)) => Finding::ok(check, "a test graph ran on the GPU"),
            (Ok(()), Device::Auto) => Finding::ok(
                check,
                "a test graph ran on the GPU: device = \"auto\" uses it",
            ),
            (Ok(()), Device::Cpu) => Finding::ok(
                check,
                "usable (a test graph ran on it), but device = \"cpu\"",
            ),
            (Err(e), Device::Cuda(_)) => Finding::failure(
                check,
                format!("the CUDA provider cannot run a graph ({e}): every run is refused"),
                "check the NVIDIA driver and CUDA libraries (nvidia-smi), or set device = \"auto\" or \"cpu\"",
            ),
            (Err(e), Device::Auto) => Finding::warning(
                check,
                format!("the CUDA provider cannot run a graph ({e}): device = \"auto\" runs on the CPU"),
                "check the NVIDIA driver and CUDA libraries (nvidia-smi)",
            ),
            (Err(e), Device::Cpu) => {
                Finding::ok(check, format!("not usable ({e}); device = \"cpu\""))
            }
        },
    });
    findings
}

fn not_found(e: &str) -> Finding {
    let (found, fix) = e.split_once('\n').unwrap_or((e, ""));
    Finding::failure(RUNTIME, found.to_string(), fix.trim().to_string())
}

/// `1.31.1` from the build info (`git-branch=rel-1.31.1`), else from the file name
/// (`libonnxruntime.so.1.31.1`).
fn version(path: &std::path::Path) -> String {
    let info = ort::info();
    if let Some(v) = info
        .split([',', ' '])
        .find_map(|part| part.trim().strip_prefix("git-branch=rel-"))
    {
        return v.to_string();
    }
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("libonnxruntime.so."))
        .unwrap_or("(unknown version)")
        .to_string()
}

/// Runs `Y = X + X` on four values; `cuda` is the device id, the CUDA provider then
/// being required (no silent fallback to the CPU).
fn run_tiny_graph(
    env: &'static ort::environment::Environment,
    cuda: Option<i32>,
) -> Result<(), String> {
    let mut builder = Session::builder(env).map_err(|e| e.to_string())?;
    if let Some(id) = cuda {
        builder = builder
            .with_execution_providers([ort::ep::CUDA::default()
                .with_device_id(id)
                .build()
                .error_on_failure()])
            .map_err(|e| e.to_string())?;
    }
    let mut session = builder
        .commit_from_memory(&doubling_graph())
        .map_err(|e| e.to_string())?;
    let x = [1.0f32, 2.0, 3.0, 4.0];
    let input = TensorRef::from_array_view((vec![4i64], &x[..])).map_err(|e| e.to_string())?;
    let values = [ort::session::SessionInputValue::from(input)];
    let outputs = session.run(values.as_slice()).map_err(|e| e.to_string())?;
    let (_, y) = outputs[0]
        .try_extract_tensor::<f32>()
        .map_err(|e| e.to_string())?;
    if y != [2.0, 4.0, 6.0, 8.0] {
        return Err(format!(
            "the test graph computed {y:?} instead of [2, 4, 6, 8]"
        ));
    }
    Ok(())
}

/// The ONNX protobuf of a one-node graph, `Y = Add(X, X)` with X, Y float32[4] (opset
/// 13): small enough to write by hand, and nothing to ship or download.
fn doubling_graph() -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn int(out: &mut Vec<u8>, field: u64, v: u64) {
        varint(out, field << 3);
        varint(out, v);
    }
    fn bytes(out: &mut Vec<u8>, field: u64, b: &[u8]) {
        varint(out, (field << 3) | 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    fn message(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut out);
        out
    }
    // ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: FLOAT, shape [4] } } }
    let value = |name: &str| {
        message(|v| {
            bytes(v, 1, name.as_bytes());
            let dim = message(|d| int(d, 1, 4));
            let shape = message(|s| bytes(s, 1, &dim));
            let tensor = message(|t| {
                int(t, 1, 1);
                bytes(t, 2, &shape);
            });
            bytes(v, 2, &message(|ty| bytes(ty, 1, &tensor)));
        })
    };
    let node = message(|n| {
        bytes(n, 1, b"X");
        bytes(n, 1, b"X");
        bytes(n, 2, b"Y");
        bytes(n, 4, b"Add");
    });
    let graph = message(|g| {
        bytes(g, 1, &node);
        bytes(g, 2, b"stemset-doctor");
        bytes(g, 11, &value("X"));
        bytes(g, 12, &value("Y"));
    });
    message(|m| {
        int(m, 1, 8); // ir_version
        bytes(m, 7, &graph);
        bytes(m, 8, &message(|o| int(o, 2, 13))); // opset_import { version: 13 }
    })
}
