//! MDX-Net parameters by model hash, for the popular UVR / kuielab model files
//! (model-formats spec §1.3, from TRvlvr/application_data `model_data_new.json`), and
//! the per-model sidecar JSON with the same field names for files not in the table.

use std::path::Path;

use serde::Deserialize;

/// One entry: n_fft, dim_f, dim_t (frames, already 2^exponent), compensate, primary stem.
#[derive(Debug, Clone, PartialEq)]
pub struct MdxModelData {
    pub n_fft: usize,
    pub dim_f: usize,
    pub dim_t: usize,
    pub compensate: f64,
    pub primary_stem: String,
}

/// (hash, file name it is known as, n_fft, dim_f, dim_t exponent, compensate, primary).
const TABLE: &[(&str, &str, usize, usize, u32, f64, &str)] = &[
    (
        "55657dd70583b0fedfba5f67df11d711",
        "UVR-MDX-NET-Inst_HQ_3.onnx",
        6144,
        3072,
        8,
        1.022,
        "Instrumental",
    ),
    (
        "0f2a6bc5b49d87d64728ee40e23bceb1",
        "UVR-MDX-NET-Inst_HQ_4.onnx",
        5120,
        2560,
        8,
        1.019,
        "Instrumental",
    ),
    (
        "cb790d0c913647ced70fc6b38f5bea1a",
        "UVR-MDX-NET-Inst_HQ_5.onnx",
        5120,
        2560,
        8,
        1.010,
        "Instrumental",
    ),
    (
        "1c56ec0224f1d559c42fd6fd2a67b154",
        "UVR-MDX-NET-Inst_Main.onnx",
        5120,
        2048,
        8,
        1.025,
        "Instrumental",
    ),
    (
        "77d07b2667ddf05b9e3175941b4454a0",
        "UVR-MDX-NET-Voc_FT.onnx",
        7680,
        3072,
        8,
        1.021,
        "Vocals",
    ),
    (
        "73492b58195c3b52d34590d5474452f6",
        "Kim_Vocal_1.onnx",
        7680,
        3072,
        8,
        1.043,
        "Vocals",
    ),
    (
        "970b3f9492014d18fefeedfe4773cb42",
        "Kim_Vocal_2.onnx",
        7680,
        3072,
        8,
        1.009,
        "Vocals",
    ),
    (
        "b6bccda408a436db8500083ef3491e8b",
        "Kim_Inst.onnx",
        7680,
        3072,
        8,
        1.020,
        "Instrumental",
    ),
    (
        "2f5501189a2f6db6349916fabe8c90de",
        "UVR_MDXNET_KARA.onnx",
        6144,
        2048,
        8,
        1.035,
        "Vocals",
    ),
    (
        "1d64a6d2c30f709b8c9b4ce1366d96ee",
        "UVR_MDXNET_KARA_2.onnx",
        5120,
        2048,
        8,
        1.065,
        "Instrumental",
    ),
    (
        "a3cd63058945e777505c01d2507daf37",
        "UVR_MDXNET_1_9703.onnx",
        6144,
        2048,
        8,
        1.030,
        "Vocals",
    ),
    (
        "d94058f8c7f1fae4164868ae8ae66b20",
        "UVR_MDXNET_2_9682.onnx",
        6144,
        2048,
        8,
        1.035,
        "Vocals",
    ),
    (
        "d7bff498db9324db933d913388cba6be",
        "UVR_MDXNET_3_9662.onnx",
        6144,
        2048,
        8,
        1.035,
        "Vocals",
    ),
    (
        "0ddfc0eb5792638ad5dc27850236c246",
        "UVR_MDXNET_9482.onnx",
        6144,
        2048,
        8,
        1.035,
        "Vocals",
    ),
    (
        "cd5b2989ad863f116c855db1dfe24e39",
        "Reverb_HQ_By_FoxJoy.onnx",
        6144,
        3072,
        9,
        1.035,
        "Reverb",
    ),
    (
        "b02be2d198d4968a121030cf8950b492",
        "UVR-MDX-NET_Crowd_HQ_1.onnx",
        5120,
        2560,
        8,
        1.020,
        "No Crowd",
    ),
    (
        "6703e39f36f18aa7855ee1047765621d",
        "kuielab_a_bass.onnx",
        16384,
        2048,
        9,
        1.035,
        "Bass",
    ),
    (
        "c3b29bdce8c4fa17ec609e16220330ab",
        "kuielab_b_bass.onnx",
        16384,
        2048,
        8,
        1.035,
        "Bass",
    ),
    (
        "dc41ede5961d50f277eb846db17f5319",
        "kuielab_a_drums.onnx",
        4096,
        2048,
        9,
        1.035,
        "Drums",
    ),
    (
        "4910e7827f335048bdac11fa967772f9",
        "kuielab_b_drums.onnx",
        4096,
        2048,
        7,
        1.035,
        "Drums",
    ),
    (
        "26d308f91f3423a67dc69a6d12a8793d",
        "kuielab_a_other.onnx",
        8192,
        2048,
        9,
        1.035,
        "Other",
    ),
    (
        "65ab5919372a128e4167f5e01a8fda85",
        "kuielab_b_other.onnx",
        8192,
        2048,
        8,
        1.035,
        "Other",
    ),
    (
        "5f6483271e1efb9bfb59e4a3e6d4d098",
        "kuielab_a_vocals.onnx",
        6144,
        2048,
        9,
        1.035,
        "Vocals",
    ),
    (
        "6b31de20e84392859a3d09d43f089515",
        "kuielab_b_vocals.onnx",
        6144,
        2048,
        8,
        1.035,
        "Vocals",
    ),
];

/// Parameters of a known model file, by its
/// [`model_hash`](stemset_sdk::audio::hashing::model_hash).
pub fn lookup(hash: &str) -> Option<(MdxModelData, &'static str)> {
    TABLE.iter().find(|row| row.0 == hash).map(
        |&(_, file, n_fft, dim_f, exp, compensate, primary)| {
            (
                MdxModelData {
                    n_fft,
                    dim_f,
                    dim_t: 1 << exp,
                    compensate,
                    primary_stem: primary.to_string(),
                },
                file,
            )
        },
    )
}

/// A UVR-style parameter file: `<model>.json` beside the model (or `<hash>.json`).
#[derive(Debug, Deserialize)]
struct Sidecar {
    mdx_n_fft_scale_set: usize,
    mdx_dim_f_set: usize,
    mdx_dim_t_set: u32,
    compensate: f64,
    primary_stem: String,
}

/// Reads the sidecar next to `model`, if there is one.
pub fn sidecar(model: &Path, hash: &str) -> Result<Option<MdxModelData>, String> {
    let candidates = [
        model.with_extension("json"),
        model.with_file_name(format!("{hash}.json")),
    ];
    for path in candidates {
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let s: Sidecar = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not a UVR MDX parameter file ({e}); expected mdx_n_fft_scale_set, \
                 mdx_dim_f_set, mdx_dim_t_set, compensate, primary_stem",
                path.display()
            )
        })?;
        if s.mdx_dim_t_set > 12 {
            return Err(format!(
                "{}: mdx_dim_t_set is an exponent (dim_t = 2^value); {} is too large",
                path.display(),
                s.mdx_dim_t_set
            ));
        }
        return Ok(Some(MdxModelData {
            n_fft: s.mdx_n_fft_scale_set,
            dim_f: s.mdx_dim_f_set,
            dim_t: 1 << s.mdx_dim_t_set,
            compensate: s.compensate,
            primary_stem: s.primary_stem,
        }));
    }
    Ok(None)
}
