//! PyTorch checkpoint files (`torch.save`'s zip layout), read without Python and without
//! executing anything: `data.pkl` goes through the allowlisting [`pickle`] reader, and
//! each tensor's bytes come from the zip entry its persistent id names.

pub mod pickle;

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

use pickle::{GlobalUse, PickleError, Value};

#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error("{file}: cannot read it: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: not a PyTorch checkpoint (a zip holding data.pkl): {why}")]
    NotTorch { file: PathBuf, why: String },
    #[error("{file}: {source}")]
    Pickle { file: PathBuf, source: PickleError },
    #[error("{file}: {what}")]
    Content { file: PathBuf, what: String },
}

/// The pickle of a checkpoint may not be larger than this (the published Demucs files
/// have 64 KB): a corrupt header cannot make the reader allocate gigabytes.
const MAX_PICKLE_BYTES: u64 = 64 << 20;

/// One tensor, as float32 whatever its stored type, in row-major order.
#[derive(Debug, Clone)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Tensor {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// A checkpoint's pickled object, with its tensors taken out: each tensor in the tree is
/// replaced by `Value::Str("<tensor N>")`, N indexing [`TorchFile::tensors`].
pub struct TorchFile {
    pub root: Value,
    pub tensors: Vec<Tensor>,
}

/// Globals a checkpoint may name, beyond the tensor machinery every file uses. `extra`
/// are the classes the caller expects to see referenced (for example
/// `demucs.htdemucs.HTDemucs`); they are never called.
fn allowlist<'a>(extra: &[&'a str]) -> HashMap<&'a str, GlobalUse> {
    let mut m = HashMap::from([
        ("collections.OrderedDict", GlobalUse::OrderedDict),
        ("fractions.Fraction", GlobalUse::Fraction),
        ("torch._utils._rebuild_tensor_v2", GlobalUse::Constructor),
        ("torch.HalfStorage", GlobalUse::Reference),
        ("torch.FloatStorage", GlobalUse::Reference),
        ("torch.BFloat16Storage", GlobalUse::Reference),
        ("torch.DoubleStorage", GlobalUse::Reference),
    ]);
    for e in extra {
        m.insert(*e, GlobalUse::Reference);
    }
    m
}

#[derive(Clone, Copy)]
enum Dtype {
    F16,
    Bf16,
    F32,
    F64,
}

impl Dtype {
    fn of(storage: &str) -> Option<Self> {
        Some(match storage {
            "torch.HalfStorage" => Self::F16,
            "torch.BFloat16Storage" => Self::Bf16,
            "torch.FloatStorage" => Self::F32,
            "torch.DoubleStorage" => Self::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Self::F16 | Self::Bf16 => 2,
            Self::F32 => 4,
            Self::F64 => 8,
        }
    }

    fn decode(self, b: &[u8]) -> f32 {
        match self {
            Self::F16 => half::f16::from_le_bytes([b[0], b[1]]).to_f32(),
            Self::Bf16 => half::bf16::from_le_bytes([b[0], b[1]]).to_f32(),
            Self::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            Self::F64 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(&b[..8]);
                f64::from_le_bytes(a) as f32
            }
        }
    }
}

struct Reader {
    file: PathBuf,
    zip: zip::ZipArchive<File>,
    prefix: String,
    /// Decoded storages by key, as float32.
    storages: HashMap<String, Vec<f32>>,
    tensors: Vec<Tensor>,
}

impl TorchFile {
    /// Reads `path`; `classes` are the globals (beyond torch's tensor machinery) the
    /// file may reference.
    pub fn open(path: &Path, classes: &[&str]) -> Result<Self, CheckpointError> {
        let file = path.to_path_buf();
        let handle = File::open(path).map_err(|source| CheckpointError::Io {
            file: file.clone(),
            source,
        })?;
        let not_torch = |why: String| CheckpointError::NotTorch {
            file: file.clone(),
            why,
        };
        let mut zip = zip::ZipArchive::new(handle).map_err(|e| not_torch(e.to_string()))?;
        let pkl_name = zip
            .file_names()
            .map(str::to_string)
            .find(|n| n.ends_with("/data.pkl") && n.matches('/').count() == 1)
            .ok_or_else(|| not_torch("no <folder>/data.pkl inside".into()))?;
        let prefix = pkl_name.trim_end_matches("data.pkl").to_string();
        if let Ok(mut order) = zip.by_name(&format!("{prefix}byteorder")) {
            let mut s = String::new();
            order
                .by_ref()
                .take(16)
                .read_to_string(&mut s)
                .map_err(|e| not_torch(format!("byteorder: {e}")))?;
            if s.trim() != "little" {
                return Err(CheckpointError::Content {
                    file,
                    what: format!(
                        "tensors stored {} endian; only little endian is read",
                        s.trim()
                    ),
                });
            }
        }
        let pkl = {
            let mut entry = zip
                .by_name(&pkl_name)
                .map_err(|e| not_torch(e.to_string()))?;
            if entry.size() > MAX_PICKLE_BYTES {
                return Err(not_torch(format!(
                    "data.pkl declares {} bytes (at most {MAX_PICKLE_BYTES})",
                    entry.size()
                )));
            }
            let mut buf = Vec::with_capacity(entry.size() as usize);
            entry
                .by_ref()
                .take(MAX_PICKLE_BYTES)
                .read_to_end(&mut buf)
                .map_err(|e| not_torch(format!("data.pkl: {e}")))?;
            buf
        };
        let root =
            pickle::read(&pkl, &allowlist(classes)).map_err(|source| CheckpointError::Pickle {
                file: file.clone(),
                source,
            })?;
        let mut reader = Reader {
            file,
            zip,
            prefix,
            storages: HashMap::new(),
            tensors: Vec::new(),
        };
        let root = reader.resolve(root)?;
        Ok(Self {
            root,
            tensors: reader.tensors,
        })
    }

    /// The index in [`TorchFile::tensors`] of the tensor a resolved value stands for.
    pub fn tensor_index(v: &Value) -> Option<usize> {
        let s = v.as_str()?;
        s.strip_prefix("<tensor ")?.strip_suffix('>')?.parse().ok()
    }
}

impl Reader {
    fn bad(&self, what: impl Into<String>) -> CheckpointError {
        CheckpointError::Content {
            file: self.file.clone(),
            what: what.into(),
        }
    }

    /// Replaces tensor calls in `v` by references into `self.tensors`.
    fn resolve(&mut self, v: Value) -> Result<Value, CheckpointError> {
        Ok(match v {
            Value::Call { func, args } if func == "torch._utils._rebuild_tensor_v2" => {
                let t = self.rebuild(&args)?;
                self.tensors.push(t);
                Value::Str(format!("<tensor {}>", self.tensors.len() - 1))
            }
            Value::Call { func, .. } => return Err(self.bad(format!("unexpected call of {func}"))),
            Value::Persistent(_) => return Err(self.bad("a storage outside a tensor")),
            Value::List(items) => Value::List(self.resolve_all(items)?),
            Value::Tuple(items) => Value::Tuple(self.resolve_all(items)?),
            Value::Dict(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items {
                    out.push((k, self.resolve(v)?));
                }
                Value::Dict(out)
            }
            other => other,
        })
    }

    fn resolve_all(&mut self, items: Vec<Value>) -> Result<Vec<Value>, CheckpointError> {
        items.into_iter().map(|v| self.resolve(v)).collect()
    }

    fn dims(&self, v: &Value, what: &str) -> Result<Vec<usize>, CheckpointError> {
        let items = v
            .items()
            .ok_or_else(|| self.bad(format!("a tensor's {what} is not a tuple")))?;
        items
            .iter()
            .map(|d| {
                d.as_int()
                    .and_then(|i| usize::try_from(i).ok())
                    .ok_or_else(|| self.bad(format!("a tensor's {what} holds {d:?}")))
            })
            .collect()
    }

    /// `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta])`.
    fn rebuild(&mut self, args: &[Value]) -> Result<Tensor, CheckpointError> {
        let [Value::Persistent(id), offset, size, stride, ..] = args else {
            return Err(self.bad("a tensor without storage, offset, size and stride"));
        };
        // ('storage', torch.HalfStorage, key, location, numel)
        let id = id
            .items()
            .filter(|i| i.len() == 5 && i[0].as_str() == Some("storage"))
            .ok_or_else(|| self.bad(format!("unknown persistent id {id:?}")))?;
        let dtype = match &id[1] {
            Value::Global(g) => {
                Dtype::of(g).ok_or_else(|| self.bad(format!("tensors of type {g} are not read")))?
            }
            other => return Err(self.bad(format!("storage type {other:?}"))),
        };
        let key = id[2]
            .as_str()
            .ok_or_else(|| self.bad("a storage key that is not a string"))?
            .to_string();
        let numel = id[4]
            .as_int()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| self.bad("a storage size that is not a count"))?;
        let offset = offset
            .as_int()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| self.bad("a tensor offset that is not a count"))?;
        let shape = self.dims(size, "size")?;
        let stride = self.dims(stride, "stride")?;
        if shape.len() != stride.len() {
            return Err(self.bad("a tensor's size and stride differ in rank"));
        }
        let count = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| self.bad("a tensor's size overflows"))?;
        // The last element read: offset + Σ (d - 1)·stride, which must lie in the storage.
        if count > 0 {
            let last = shape.iter().zip(&stride).try_fold(offset, |a, (&d, &s)| {
                (d - 1).checked_mul(s).and_then(|x| a.checked_add(x))
            });
            if last.is_none_or(|l| l >= numel) {
                return Err(self.bad(format!(
                    "a tensor of size {shape:?} reads past its storage {key} of {numel} values"
                )));
            }
        }
        self.load_storage(&key, dtype, numel)?;
        let storage = &self.storages[&key];
        let mut data = Vec::with_capacity(count);
        gather(storage, offset, &shape, &stride, &mut data);
        Ok(Tensor { shape, data })
    }

    fn load_storage(
        &mut self,
        key: &str,
        dtype: Dtype,
        numel: usize,
    ) -> Result<(), CheckpointError> {
        if let Some(s) = self.storages.get(key) {
            if s.len() != numel {
                return Err(self.bad(format!("storage {key} is used with two sizes")));
            }
            return Ok(());
        }
        if key.contains('/') || key.contains("..") {
            return Err(self.bad(format!("storage key {key:?}")));
        }
        let name = format!("{}data/{key}", self.prefix);
        let file = self.file.clone();
        let mut entry = self
            .zip
            .by_name(&name)
            .map_err(|e| CheckpointError::Content {
                file: file.clone(),
                what: format!("storage {name}: {e} (a truncated or incomplete file?)"),
            })?;
        let expect = (numel as u64).saturating_mul(dtype.size() as u64);
        if entry.size() != expect {
            return Err(CheckpointError::Content {
                file,
                what: format!(
                    "storage {name} has {} bytes, its tensors need {expect}",
                    entry.size()
                ),
            });
        }
        let mut bytes = Vec::with_capacity(expect as usize);
        entry
            .by_ref()
            .take(expect)
            .read_to_end(&mut bytes)
            .map_err(|e| CheckpointError::Content {
                file: file.clone(),
                what: format!("storage {name}: {e} (a truncated or corrupt file?)"),
            })?;
        if bytes.len() as u64 != expect {
            return Err(CheckpointError::Content {
                file,
                what: format!(
                    "storage {name} ends after {} of {expect} bytes",
                    bytes.len()
                ),
            });
        }
        let values = bytes
            .chunks_exact(dtype.size())
            .map(|b| dtype.decode(b))
            .collect();
        self.storages.insert(key.to_string(), values);
        Ok(())
    }
}

/// Copies a strided view into row-major order.
fn gather(storage: &[f32], offset: usize, shape: &[usize], stride: &[usize], out: &mut Vec<f32>) {
    match shape {
        [] => out.push(storage[offset]),
        [n] => out.extend((0..*n).map(|i| storage[offset + i * stride[0]])),
        [n, rest @ ..] => {
            for i in 0..*n {
                gather(storage, offset + i * stride[0], rest, &stride[1..], out);
            }
        }
    }
}
