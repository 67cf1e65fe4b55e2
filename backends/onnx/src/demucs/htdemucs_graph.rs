//! HTDemucs as an ONNX graph, written from a checkpoint's config and weights: the network
//! between the spectrogram and its inverse (the "core" layout the backend already runs,
//! `(input [1, 2, SEG], x [1, 4, 2048, le]) → (spectral [1, S, 4, 2048, le], time
//! [1, S, 2, SEG])`), following `demucs/htdemucs.py`'s `forward` step by step: the
//! per-window normalisation, the frequency and time encoders, the cross-transformer, the
//! decoders and the de-normalisation. Every tensor of the state must be used exactly
//! once, so a checkpoint whose weights do not fit its arguments is refused.

use std::collections::{HashMap, HashSet};

use crate::checkpoint::Tensor;
use crate::graph::{GResult, Geom, Graph, GraphError, T};

use super::checkpoint::HtConfig;
use super::spec::HT_HOP;

struct Weights<'a> {
    state: &'a HashMap<String, Tensor>,
    used: HashSet<String>,
}

impl Weights<'_> {
    fn get(&mut self, name: &str) -> GResult<&Tensor> {
        let t = self
            .state
            .get(name)
            .ok_or_else(|| GraphError(format!("the state has no tensor {name}")))?;
        self.used.insert(name.to_string());
        Ok(t)
    }

    /// A weight as a graph constant, checked against the shape the layer needs.
    fn load(&mut self, g: &mut Graph, name: &str, shape: &[usize]) -> GResult<T> {
        let t = self.get(name)?;
        if t.shape != shape {
            return Err(GraphError(format!(
                "tensor {name} has shape {:?}, the arguments need {shape:?}",
                t.shape
            )));
        }
        g.constant(name, shape, &t.data)
    }

    /// A Linear's weight [out, in] as the [in, out] right operand of a MatMul, times `s`.
    fn linear_t(
        &mut self,
        g: &mut Graph,
        name: &str,
        out: usize,
        inp: usize,
        s: f32,
    ) -> GResult<T> {
        let t = self.get(name)?;
        if t.shape != [out, inp] {
            return Err(GraphError(format!(
                "tensor {name} has shape {:?}, expected [{out}, {inp}]",
                t.shape
            )));
        }
        let mut d = vec![0f32; out * inp];
        for o in 0..out {
            for i in 0..inp {
                d[i * out + o] = t.data[o * inp + i] * s;
            }
        }
        g.constant(name, &[inp, out], &d)
    }
}

/// What a decoder layer maps to: its output channels, whether it has group norms, whether
/// it is the last (no GELU), and for the time branch the length to crop to.
struct Level {
    cout: usize,
    norm: bool,
    last: bool,
    length: usize,
}

struct Net<'a> {
    g: Graph,
    w: Weights<'a>,
    c: &'a HtConfig,
}

/// Builds the graph as one model per stage (see [`Graph::finish_stages`]): the input
/// normalisation, each encoder level (both branches), the transformer, each decoder
/// level. `segment` is the window in samples (the config's training length).
pub fn build(
    config: &HtConfig,
    state: &HashMap<String, Tensor>,
) -> Result<Vec<Vec<u8>>, GraphError> {
    let mut net = Net {
        g: Graph::default(),
        w: Weights {
            state,
            used: HashSet::new(),
        },
        c: config,
    };
    net.forward()?;
    let mut unused: Vec<&String> = state.keys().filter(|k| !net.w.used.contains(*k)).collect();
    if !unused.is_empty() {
        unused.sort();
        return Err(GraphError(format!(
            "{} tensors of the state are not part of HTDemucs with these arguments (first: {})",
            unused.len(),
            unused[0]
        )));
    }
    let meta = [
        ("stemset.architecture", "htdemucs".to_string()),
        ("stemset.sources", config.sources.join(",")),
    ];
    net.g.finish_stages("stemset-htdemucs", &meta)
}

/// PyTorch's `int(growth * ch)`.
fn grow(ch: usize, growth: f64) -> usize {
    (growth * ch as f64) as usize
}

impl Net<'_> {
    fn conv(&mut self, x: &T, prefix: &str, cout: usize, geom: &Geom) -> GResult<T> {
        let cin = x.shape[1];
        let mut shape = vec![cout, cin];
        shape.extend_from_slice(&geom.kernel);
        let w = self
            .w
            .load(&mut self.g, &format!("{prefix}.weight"), &shape)?;
        let b = self
            .w
            .load(&mut self.g, &format!("{prefix}.bias"), &[cout])?;
        self.g.conv(x, &w, Some(&b), geom)
    }

    fn group_norm(&mut self, x: &T, prefix: &str, groups: usize) -> GResult<T> {
        let c = x.shape[1];
        let gm = self
            .w
            .load(&mut self.g, &format!("{prefix}.weight"), &[c])?;
        let bt = self.w.load(&mut self.g, &format!("{prefix}.bias"), &[c])?;
        self.g.group_norm(x, groups, &gm, &bt, 1e-5)
    }

    fn layer_norm(&mut self, x: &T, prefix: &str) -> GResult<T> {
        let c = *x.shape.last().unwrap_or(&0);
        let gm = self
            .w
            .load(&mut self.g, &format!("{prefix}.weight"), &[c])?;
        let bt = self.w.load(&mut self.g, &format!("{prefix}.bias"), &[c])?;
        self.g.layer_norm(x, &gm, &bt, 1e-5)
    }

    /// `(x - mean) / (1e-5 + std)` over all but the batch axis, std unbiased as
    /// `torch.std`. Returns the normalised value, the mean and the std (the outputs are
    /// multiplied back by the std without the epsilon, as HTDemucs does).
    fn normalize(&mut self, x: &T) -> GResult<(T, T, T)> {
        let b = x.shape[0];
        let count = x.numel() / b;
        let n = count as f32;
        let flat = self.g.reshape(x, &[b, 1, count])?;
        let mean = self.g.mean_last(&flat)?;
        let d = self.g.sub(&flat, &mean)?;
        let sq = self.g.mul(&d, &d)?;
        let ms = self.g.mean_last(&sq)?;
        let var = self.g.scale(&ms, n / (n - 1.0))?;
        let std = self.g.unary("Sqrt", &var);
        let eps = self.g.scalar(1e-5);
        let den = self.g.add(&std, &eps)?;
        let y = self.g.div(&d, &den)?;
        let y = self.g.reshape(&y, &x.shape)?;
        Ok((y, mean, std))
    }

    fn act(&mut self, x: &T, gelu: bool) -> GResult<T> {
        if gelu {
            self.g.gelu(x)
        } else {
            Ok(self.g.relu(x))
        }
    }

    /// `DConv`: residual branches of dilated convolutions on [N, C, T].
    fn dconv(&mut self, x: &T, prefix: &str) -> GResult<T> {
        let c = x.shape[1];
        let hidden = (c as f64 / self.c.dconv_comp) as usize;
        let depth = self.c.dconv_depth.unsigned_abs() as usize;
        let dilate = self.c.dconv_depth > 0;
        let mut x = x.clone();
        for d in 0..depth {
            let p = format!("{prefix}.layers.{d}");
            let dilation = if dilate { 1 << d } else { 1 };
            let y = self.conv(
                &x,
                &format!("{p}.0"),
                hidden,
                &Geom::new(&[3], &[1], &[dilation], &[dilation]),
            )?;
            let y = self.group_norm(&y, &format!("{p}.1"), 1)?;
            let y = self.g.gelu(&y)?;
            let y = self.conv(
                &y,
                &format!("{p}.3"),
                2 * c,
                &Geom::new(&[1], &[1], &[0], &[1]),
            )?;
            let y = self.group_norm(&y, &format!("{p}.4"), 1)?;
            let y = self.g.glu(&y, 1)?;
            let s = self.w.load(&mut self.g, &format!("{p}.6.scale"), &[c])?;
            let s = self.g.reshape(&s, &[c, 1])?;
            let y = self.g.mul(&y, &s)?;
            x = self.g.add(&x, &y)?;
        }
        Ok(x)
    }

    /// DConv on a frequency tensor [B, C, F, T]: over time, per frequency row.
    fn dconv_freq(&mut self, y: &T, prefix: &str) -> GResult<T> {
        let (b, c, f, t) = (y.shape[0], y.shape[1], y.shape[2], y.shape[3]);
        let p = self.g.transpose(y, &[0, 2, 1, 3])?;
        let r = self.g.reshape(&p, &[b * f, c, t])?;
        let r = self.dconv(&r, prefix)?;
        let r = self.g.reshape(&r, &[b, f, c, t])?;
        self.g.transpose(&r, &[0, 2, 1, 3])
    }

    fn maybe_norm(&mut self, x: &T, prefix: &str, norm: bool) -> GResult<T> {
        if norm {
            self.group_norm(x, prefix, self.c.norm_groups)
        } else {
            Ok(x.clone())
        }
    }

    /// `HEncLayer` (frequency when `x` is 4-D, time when 3-D).
    fn encoder(&mut self, x: &T, prefix: &str, cout: usize, norm: bool) -> GResult<T> {
        let c = self.c;
        let freq = x.shape.len() == 4;
        let (k, s, pad) = (c.kernel_size, c.stride, c.kernel_size / 4);
        let y = if freq {
            self.conv(
                x,
                &format!("{prefix}.conv"),
                cout,
                &Geom::new(&[k, 1], &[s, 1], &[pad, 0], &[1, 1]),
            )?
        } else {
            let le = x.shape[2];
            let x = self.g.pad_end(x, (s - le % s) % s)?;
            self.conv(
                &x,
                &format!("{prefix}.conv"),
                cout,
                &Geom::new(&[k], &[s], &[pad], &[1]),
            )?
        };
        let y = self.maybe_norm(&y, &format!("{prefix}.norm1"), norm)?;
        let mut y = self.g.gelu(&y)?;
        if c.dconv_mode & 1 != 0 {
            let p = format!("{prefix}.dconv");
            y = if freq {
                self.dconv_freq(&y, &p)?
            } else {
                self.dconv(&y, &p)?
            };
        }
        if !c.rewrite {
            return Ok(y);
        }
        let ctx = c.context_enc;
        let z = if freq {
            self.conv(
                &y,
                &format!("{prefix}.rewrite"),
                2 * cout,
                &Geom::new(&[1 + 2 * ctx, 1 + 2 * ctx], &[1, 1], &[ctx, ctx], &[1, 1]),
            )?
        } else {
            self.conv(
                &y,
                &format!("{prefix}.rewrite"),
                2 * cout,
                &Geom::new(&[1 + 2 * ctx], &[1], &[ctx], &[1]),
            )?
        };
        let z = self.maybe_norm(&z, &format!("{prefix}.norm2"), norm)?;
        self.g.glu(&z, 1)
    }

    /// `HDecLayer`: `x + skip`, rewrite, DConv, transposed conv, crop, GELU unless last.
    fn decoder(&mut self, x: &T, skip: &T, prefix: &str, level: &Level) -> GResult<T> {
        let &Level {
            cout,
            norm,
            last,
            length,
        } = level;
        let c = self.c;
        let freq = x.shape.len() == 4;
        let cin = x.shape[1];
        let (k, s, pad) = (c.kernel_size, c.stride, c.kernel_size / 4);
        let x = self.g.add(x, skip)?;
        let mut y = if c.rewrite {
            let ctx = c.context;
            let r = if freq {
                self.conv(
                    &x,
                    &format!("{prefix}.rewrite"),
                    2 * cin,
                    &Geom::new(&[1 + 2 * ctx, 1 + 2 * ctx], &[1, 1], &[ctx, ctx], &[1, 1]),
                )?
            } else {
                self.conv(
                    &x,
                    &format!("{prefix}.rewrite"),
                    2 * cin,
                    &Geom::new(&[1 + 2 * ctx], &[1], &[ctx], &[1]),
                )?
            };
            let r = self.maybe_norm(&r, &format!("{prefix}.norm1"), norm)?;
            self.g.glu(&r, 1)?
        } else {
            x
        };
        if c.dconv_mode & 2 != 0 {
            let p = format!("{prefix}.dconv");
            y = if freq {
                self.dconv_freq(&y, &p)?
            } else {
                self.dconv(&y, &p)?
            };
        }
        let (wshape, stride): (Vec<usize>, Vec<usize>) = if freq {
            (vec![cin, cout, k, 1], vec![s, 1])
        } else {
            (vec![cin, cout, k], vec![s])
        };
        let wname = format!("{prefix}.conv_tr.weight");
        let bname = format!("{prefix}.conv_tr.bias");
        let z = if k == 2 * s {
            let w = self.w.get(&wname)?.clone();
            let b = self.w.get(&bname)?.clone();
            if w.shape != wshape || b.shape != [cout] {
                return Err(GraphError(format!(
                    "tensor {wname} has shape {:?}, the arguments need {wshape:?}",
                    w.shape
                )));
            }
            self.g
                .conv_transpose_subpixel(&y, &w.data, cout, s, &b.data)?
        } else {
            let w = self.w.load(&mut self.g, &wname, &wshape)?;
            let b = self.w.load(&mut self.g, &bname, &[cout])?;
            self.g.conv_transpose(&y, &w, &b, &stride)?
        };
        let z = self.maybe_norm(&z, &format!("{prefix}.norm2"), norm)?;
        let z = if freq {
            let f = z.shape[2];
            self.g.slice(&z, 2, pad, f - pad)?
        } else {
            self.g.slice(&z, 2, pad, pad + length)?
        };
        if last { Ok(z) } else { self.g.gelu(&z) }
    }

    /// `nn.MultiheadAttention` (batch first, batch 1) of queries `q` [1, T, E] over `kv`.
    fn attention(&mut self, q: &T, kv: &T, prefix: &str) -> GResult<T> {
        let e = q.shape[2];
        let h = self.c.t_heads;
        let dh = e / h;
        let inw = self.w.get(&format!("{prefix}.in_proj_weight"))?.clone();
        let inb = self.w.get(&format!("{prefix}.in_proj_bias"))?.clone();
        if inw.shape != [3 * e, e] || inb.shape != [3 * e] {
            return Err(GraphError(format!(
                "{prefix}: in_proj of shape {:?}",
                inw.shape
            )));
        }
        // 1/√d folded into the query projection (scaled_dot_product_attention's scale).
        let scale = 1.0 / (dh as f32).sqrt();
        let proj = |g: &mut Graph, x: &T, part: usize, s: f32| -> GResult<T> {
            let mut d = vec![0f32; e * e];
            for o in 0..e {
                for i in 0..e {
                    d[i * e + o] = inw.data[(part * e + o) * e + i] * s;
                }
            }
            let w = g.constant(&format!("{prefix}.in_proj.{part}"), &[e, e], &d)?;
            let b: Vec<f32> = inb.data[part * e..(part + 1) * e]
                .iter()
                .map(|v| v * s)
                .collect();
            let b = g.constant(&format!("{prefix}.in_bias.{part}"), &[e], &b)?;
            let y = g.matmul(x, &w)?;
            g.add(&y, &b)
        };
        let qp = proj(&mut self.g, q, 0, scale)?;
        let kp = proj(&mut self.g, kv, 1, 1.0)?;
        let vp = proj(&mut self.g, kv, 2, 1.0)?;
        let o = self.g.attention(&qp, &kp, &vp, h, 1.0)?;
        let wo = self
            .w
            .linear_t(&mut self.g, &format!("{prefix}.out_proj.weight"), e, e, 1.0)?;
        let bo = self
            .w
            .load(&mut self.g, &format!("{prefix}.out_proj.bias"), &[e])?;
        let o = self.g.matmul(&o, &wo)?;
        self.g.add(&o, &bo)
    }

    fn feed_forward(&mut self, x: &T, prefix: &str) -> GResult<T> {
        let e = x.shape[2];
        let hidden = (e as f64 * self.c.t_hidden_scale) as usize;
        let w1 = self.w.linear_t(
            &mut self.g,
            &format!("{prefix}.linear1.weight"),
            hidden,
            e,
            1.0,
        )?;
        let b1 = self
            .w
            .load(&mut self.g, &format!("{prefix}.linear1.bias"), &[hidden])?;
        let w2 = self.w.linear_t(
            &mut self.g,
            &format!("{prefix}.linear2.weight"),
            e,
            hidden,
            1.0,
        )?;
        let b2 = self
            .w
            .load(&mut self.g, &format!("{prefix}.linear2.bias"), &[e])?;
        let y = self.g.matmul(x, &w1)?;
        let y = self.g.add(&y, &b1)?;
        let y = self.act(&y, self.c.t_gelu)?;
        let y = self.g.matmul(&y, &w2)?;
        self.g.add(&y, &b2)
    }

    fn layer_scale(&mut self, x: &T, prefix: &str) -> GResult<T> {
        if !self.c.t_layer_scale {
            return Ok(x.clone());
        }
        let e = x.shape[2];
        let s = self.w.load(&mut self.g, &format!("{prefix}.scale"), &[e])?;
        self.g.mul(x, &s)
    }

    /// `MyGroupNorm(1, E)` on [1, T, E]: normalised over all of T and E together.
    fn norm_out(&mut self, x: &T, prefix: &str) -> GResult<T> {
        if !self.c.t_norm_out {
            return Ok(x.clone());
        }
        let tr = self.g.transpose(x, &[0, 2, 1])?;
        let n = self.group_norm(&tr, prefix, 1)?;
        self.g.transpose(&n, &[0, 2, 1])
    }

    /// A norm-first self-attention layer (`MyTransformerEncoderLayer`).
    fn self_layer(&mut self, x: &T, prefix: &str) -> GResult<T> {
        let n = self.layer_norm(x, &format!("{prefix}.norm1"))?;
        let a = self.attention(&n, &n, &format!("{prefix}.self_attn"))?;
        let a = self.layer_scale(&a, &format!("{prefix}.gamma_1"))?;
        let x = self.g.add(x, &a)?;
        let n = self.layer_norm(&x, &format!("{prefix}.norm2"))?;
        let f = self.feed_forward(&n, prefix)?;
        let f = self.layer_scale(&f, &format!("{prefix}.gamma_2"))?;
        let x = self.g.add(&x, &f)?;
        self.norm_out(&x, &format!("{prefix}.norm_out"))
    }

    /// A norm-first cross-attention layer (`CrossTransformerEncoderLayer`).
    fn cross_layer(&mut self, q: &T, k: &T, prefix: &str) -> GResult<T> {
        let nq = self.layer_norm(q, &format!("{prefix}.norm1"))?;
        let nk = self.layer_norm(k, &format!("{prefix}.norm2"))?;
        let a = self.attention(&nq, &nk, &format!("{prefix}.cross_attn"))?;
        let a = self.layer_scale(&a, &format!("{prefix}.gamma_1"))?;
        let x = self.g.add(q, &a)?;
        let n = self.layer_norm(&x, &format!("{prefix}.norm3"))?;
        let f = self.feed_forward(&n, prefix)?;
        let f = self.layer_scale(&f, &format!("{prefix}.gamma_2"))?;
        let x = self.g.add(&x, &f)?;
        self.norm_out(&x, &format!("{prefix}.norm_out"))
    }

    /// `CrossTransformerEncoder.forward` on x [1, C, F, T1] and xt [1, C, T2].
    fn transformer(&mut self, x: &T, xt: &T) -> GResult<(T, T)> {
        let (c, f, t1) = (x.shape[1], x.shape[2], x.shape[3]);
        let t2 = xt.shape[2];
        let wpe = self.c.t_weight_pos_embed as f32;
        // "b c fr t1 -> b (t1 fr) c"
        let xs = self.g.transpose(x, &[0, 3, 2, 1])?;
        let mut xs = self.g.reshape(&xs, &[1, t1 * f, c])?;
        let mut xts = self.g.transpose(xt, &[0, 2, 1])?;
        if self.c.t_norm_in {
            xs = self.layer_norm(&xs, "crosstransformer.norm_in")?;
            xts = self.layer_norm(&xts, "crosstransformer.norm_in_t")?;
        }
        let pe2 = sin_embedding_2d(c, f, t1, self.c.t_max_period as f32, wpe);
        let pe2 = self.g.constant("pos_emb_2d", &[1, t1 * f, c], &pe2)?;
        let mut xs = self.g.add(&xs, &pe2)?;
        let pe1 = sin_embedding(t2, c, self.c.t_max_period as f32, wpe);
        let pe1 = self.g.constant("pos_emb", &[1, t2, c], &pe1)?;
        let mut xts = self.g.add(&xts, &pe1)?;
        let parity = usize::from(self.c.t_cross_first);
        for idx in 0..self.c.t_layers {
            let p = format!("crosstransformer.layers.{idx}");
            let pt = format!("crosstransformer.layers_t.{idx}");
            if idx % 2 == parity {
                xs = self.self_layer(&xs, &p)?;
                xts = self.self_layer(&xts, &pt)?;
            } else {
                let old = xs.clone();
                xs = self.cross_layer(&xs, &xts, &p)?;
                xts = self.cross_layer(&xts, &old, &pt)?;
            }
        }
        // "b (t1 fr) c -> b c fr t1"
        let xo = self.g.reshape(&xs, &[1, t1, f, c])?;
        let xo = self.g.transpose(&xo, &[0, 3, 2, 1])?;
        let xto = self.g.transpose(&xts, &[0, 2, 1])?;
        Ok((xo, xto))
    }

    fn conv1x1_flat(&mut self, x: &T, prefix: &str, cout: usize) -> GResult<T> {
        let (b, c, f, t) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        let flat = self.g.reshape(x, &[b, c, f * t])?;
        let y = self.conv(&flat, prefix, cout, &Geom::new(&[1], &[1], &[0], &[1]))?;
        self.g.reshape(&y, &[b, cout, f, t])
    }

    fn forward(&mut self) -> GResult<()> {
        let c = self.c;
        let seg = c.segment_samples();
        let le = seg.div_ceil(HT_HOP);
        let bins = c.nfft / 2;
        let s = c.sources.len();
        let mix = self.g.input("input", &[1, 2, seg]);
        let spec = self.g.input("x", &[1, 2 * c.audio_channels, bins, le]);

        let (mut x, mean, std) = self.normalize(&spec)?;
        let (mut xt, meant, stdt) = self.normalize(&mix)?;

        let mut saved = Vec::new();
        let mut saved_t = Vec::new();
        let mut lengths_t = Vec::new();
        let mut chout = c.channels_time.unwrap_or(c.channels);
        let mut chout_z = c.channels;
        let mut chin = c.audio_channels;
        let mut chin_z = 2 * c.audio_channels;
        let mut dec_channels = Vec::new();
        for idx in 0..c.depth {
            self.g.begin_stage();
            let norm = idx >= c.norm_starts;
            lengths_t.push(xt.shape[2]);
            xt = self.encoder(&xt, &format!("tencoder.{idx}"), chout, norm)?;
            saved_t.push(xt.clone());
            x = self.encoder(&x, &format!("encoder.{idx}"), chout_z, norm)?;
            if idx == 0 && c.freq_emb != 0.0 {
                let fr = x.shape[2];
                let emb = self.w.get("freq_emb.embedding.weight")?.clone();
                if emb.shape != [fr, chout_z] {
                    return Err(GraphError(format!(
                        "freq_emb.embedding.weight has shape {:?}, expected [{fr}, {chout_z}]",
                        emb.shape
                    )));
                }
                // x + freq_emb_scale · (embedding · emb_scale)ᵀ, a constant [1, C, F, 1].
                let k = (c.freq_emb * c.emb_scale) as f32;
                let mut d = vec![0f32; fr * chout_z];
                for f in 0..fr {
                    for ch in 0..chout_z {
                        d[ch * fr + f] = emb.data[f * chout_z + ch] * k;
                    }
                }
                let e = self.g.constant("freq_emb", &[1, chout_z, fr, 1], &d)?;
                x = self.g.add(&x, &e)?;
            }
            saved.push(x.clone());
            // The decoder of this level maps back to the previous channel counts.
            let (dz, dt) = if idx == 0 {
                (2 * c.audio_channels * s, c.audio_channels * s)
            } else {
                (chin_z, chin)
            };
            dec_channels.push((dz, dt, norm));
            chin = chout;
            chin_z = chout_z;
            chout = grow(chout, c.growth);
            chout_z = grow(chout_z, c.growth);
        }

        self.g.begin_stage();
        if c.t_layers == 0 && c.bottom_channels > 0 {
            // HTDemucs builds the 1×1 convolutions around the transformer even when it
            // has none, and then does not use them.
            for m in [
                "channel_upsampler",
                "channel_downsampler",
                "channel_upsampler_t",
                "channel_downsampler_t",
            ] {
                self.w.get(&format!("{m}.weight"))?;
                self.w.get(&format!("{m}.bias"))?;
            }
        }
        if c.t_layers > 0 {
            if c.bottom_channels > 0 {
                x = self.conv1x1_flat(&x, "channel_upsampler", c.bottom_channels)?;
                xt = self.conv(
                    &xt,
                    "channel_upsampler_t",
                    c.bottom_channels,
                    &Geom::new(&[1], &[1], &[0], &[1]),
                )?;
            }
            if x.shape[1] % c.t_heads != 0 || x.shape[1] % 4 != 0 {
                return Err(GraphError(format!(
                    "transformer width {} does not divide into {} heads",
                    x.shape[1], c.t_heads
                )));
            }
            let (a, b) = self.transformer(&x, &xt)?;
            x = a;
            xt = b;
            if c.bottom_channels > 0 {
                x = self.conv1x1_flat(&x, "channel_downsampler", chin_z)?;
                xt = self.conv(
                    &xt,
                    "channel_downsampler_t",
                    chin,
                    &Geom::new(&[1], &[1], &[0], &[1]),
                )?;
            }
        }

        for idx in 0..c.depth {
            self.g.begin_stage();
            let level = c.depth - 1 - idx;
            let (dz, dt, norm) = dec_channels[level];
            let skip = saved.pop().ok_or_else(|| GraphError("skip stack".into()))?;
            let skip_t = saved_t
                .pop()
                .ok_or_else(|| GraphError("skip stack".into()))?;
            let length_t = lengths_t
                .pop()
                .ok_or_else(|| GraphError("length stack".into()))?;
            let last = level == 0;
            let freq_level = Level {
                cout: dz,
                norm,
                last,
                length: 0,
            };
            let time_level = Level {
                cout: dt,
                norm,
                last,
                length: length_t,
            };
            x = self.decoder(&x, &skip, &format!("decoder.{idx}"), &freq_level)?;
            xt = self.decoder(&xt, &skip_t, &format!("tdecoder.{idx}"), &time_level)?;
        }

        // x.view(B, S, -1, F, T) · std + mean; xt likewise.
        let x = self
            .g
            .reshape(&x, &[1, s, 2 * c.audio_channels, bins, le])?;
        let std5 = self.g.reshape(&std, &[1, 1, 1, 1, 1])?;
        let mean5 = self.g.reshape(&mean, &[1, 1, 1, 1, 1])?;
        let x = self.g.mul(&x, &std5)?;
        let x = self.g.add(&x, &mean5)?;
        let xt = self.g.reshape(&xt, &[1, s, c.audio_channels, seg])?;
        let stdt4 = self.g.reshape(&stdt, &[1, 1, 1, 1])?;
        let meant4 = self.g.reshape(&meant, &[1, 1, 1, 1])?;
        let xt = self.g.mul(&xt, &stdt4)?;
        let xt = self.g.add(&xt, &meant4)?;
        self.g.output(&x, "spectral");
        self.g.output(&xt, "time");
        Ok(())
    }
}

/// `create_sin_embedding(T, C)` as [1, T, C] (cos half, then sin half), times `w`.
fn sin_embedding(length: usize, dim: usize, max_period: f32, w: f32) -> Vec<f32> {
    let half = dim / 2;
    let mut out = vec![0f32; length * dim];
    for p in 0..length {
        for a in 0..half {
            let phase = p as f32 / max_period.powf(a as f32 / (half as f32 - 1.0));
            out[p * dim + a] = phase.cos() * w;
            out[p * dim + half + a] = phase.sin() * w;
        }
    }
    out
}

/// `create_2d_sin_embedding(C, F, T1)` rearranged to [1, T1·F, C] (token = t1·F + f),
/// times `w`.
fn sin_embedding_2d(
    d_model: usize,
    height: usize,
    width: usize,
    max_period: f32,
    w: f32,
) -> Vec<f32> {
    let half = d_model / 2;
    let div: Vec<f32> = (0..half)
        .step_by(2)
        .map(|i| (i as f32 * -(max_period.ln() / half as f32)).exp())
        .collect();
    let mut out = vec![0f32; width * height * d_model];
    for t in 0..width {
        for f in 0..height {
            let row = &mut out[(t * height + f) * d_model..(t * height + f + 1) * d_model];
            for (j, &dv) in div.iter().enumerate() {
                let (pw, ph) = (t as f32 * dv, f as f32 * dv);
                row[2 * j] = pw.sin() * w;
                row[2 * j + 1] = pw.cos() * w;
                row[half + 2 * j] = ph.sin() * w;
                row[half + 2 * j + 1] = ph.cos() * w;
            }
        }
    }
    out
}
