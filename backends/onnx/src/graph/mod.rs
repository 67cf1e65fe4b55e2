//! Writing ONNX graphs from Rust: a builder that tracks every value's static shape (the
//! graphs written here have fixed shapes, so reshapes, crops and broadcasts are checked
//! while the graph is built rather than when ONNX Runtime loads it), and emits opset-17
//! `ModelProto`s, one per stage (one for a graph without stages).

pub mod proto;
mod stages;

use std::collections::HashMap;

use proto::{
    AttributeProto, DimensionProto, NodeProto, TensorProto, TensorShapeProto, TensorTypeProto,
    TypeProto, ValueInfoProto,
};

/// A value of the graph: its name and static shape.
#[derive(Debug, Clone)]
pub struct T {
    pub name: String,
    pub shape: Vec<usize>,
}

impl T {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// A convolution's kernel, stride, padding (each side) and dilation, one entry per
/// spatial axis.
#[derive(Debug, Clone)]
pub struct Geom {
    pub kernel: Vec<usize>,
    pub stride: Vec<usize>,
    pub pad: Vec<usize>,
    pub dilation: Vec<usize>,
}

impl Geom {
    pub fn new(kernel: &[usize], stride: &[usize], pad: &[usize], dilation: &[usize]) -> Self {
        Self {
            kernel: kernel.to_vec(),
            stride: stride.to_vec(),
            pad: pad.to_vec(),
            dilation: dilation.to_vec(),
        }
    }
}

/// Groups normalised by ONNX Runtime's InstanceNormalization kernel at most this long;
/// longer ones (a transformer's group norm over 1.4 M values) by the two-stage mean of
/// [`Graph::mean_last`], which keeps PyTorch's precision.
const INSTANCE_NORM_MAX: usize = 1 << 16;

/// A shape mismatch found while building (a bug in the caller or a checkpoint whose
/// tensors do not fit the architecture its arguments describe).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GraphError(pub String);

pub type GResult<V> = Result<V, GraphError>;

fn err<V>(msg: impl Into<String>) -> GResult<V> {
    Err(GraphError(msg.into()))
}

#[derive(Default)]
pub struct Graph {
    nodes: Vec<NodeProto>,
    inits: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    next: usize,
    /// The shape of every node output and input, for the stages' inputs and outputs.
    shapes: HashMap<String, Vec<usize>>,
    /// Index of the first node of each stage after the first (see [`Graph::begin_stage`]).
    stage_starts: Vec<usize>,
}

fn value_info(name: &str, shape: &[usize]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: proto::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: shape
                        .iter()
                        .map(|&d| DimensionProto {
                            dim_value: Some(d as i64),
                        })
                        .collect(),
                }),
            }),
        }),
    }
}

pub fn attr_int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        i,
        r#type: proto::ATTR_INT,
        ..Default::default()
    }
}

pub fn attr_ints(name: &str, ints: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        ints: ints.to_vec(),
        r#type: proto::ATTR_INTS,
        ..Default::default()
    }
}

pub fn attr_float(name: &str, f: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f,
        r#type: proto::ATTR_FLOAT,
        ..Default::default()
    }
}

/// NumPy broadcasting of two shapes.
fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

impl Graph {
    fn fresh(&mut self, hint: &str) -> String {
        self.next += 1;
        format!("{hint}_{}", self.next)
    }

    pub fn input(&mut self, name: &str, shape: &[usize]) -> T {
        self.inputs.push(value_info(name, shape));
        self.shapes.insert(name.into(), shape.to_vec());
        T {
            name: name.into(),
            shape: shape.to_vec(),
        }
    }

    /// Marks `t` as the graph's next output, named `name`.
    pub fn output(&mut self, t: &T, name: &str) {
        self.node("Identity", &[&t.name], &[name], vec![]);
        self.outputs.push(value_info(name, &t.shape));
    }

    /// A float initializer.
    pub fn constant(&mut self, hint: &str, shape: &[usize], data: &[f32]) -> GResult<T> {
        if shape.iter().product::<usize>() != data.len() {
            return err(format!("{hint}: {} values for shape {shape:?}", data.len()));
        }
        let name = self.fresh(hint);
        self.inits.push(TensorProto {
            dims: shape.iter().map(|&d| d as i64).collect(),
            data_type: proto::FLOAT,
            name: name.clone(),
            raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        Ok(T {
            name,
            shape: shape.to_vec(),
        })
    }

    pub fn scalar(&mut self, v: f32) -> T {
        let name = self.fresh("scalar");
        self.inits.push(TensorProto {
            dims: vec![],
            data_type: proto::FLOAT,
            name: name.clone(),
            raw_data: v.to_le_bytes().to_vec(),
        });
        T {
            name,
            shape: vec![],
        }
    }

    /// An int64 initializer (shapes, pads, split sizes).
    fn int64s(&mut self, data: &[i64]) -> String {
        let name = self.fresh("ints");
        self.inits.push(TensorProto {
            dims: vec![data.len() as i64],
            data_type: proto::INT64,
            name: name.clone(),
            raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        name
    }

    fn node(
        &mut self,
        op: &str,
        inputs: &[&str],
        outputs: &[&str],
        attribute: Vec<AttributeProto>,
    ) {
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            name: outputs.first().map(|s| s.to_string()).unwrap_or_default(),
            op_type: op.into(),
            attribute,
            domain: String::new(),
        });
    }

    /// One node with one output of the given shape.
    fn op(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: Vec<AttributeProto>,
        shape: Vec<usize>,
    ) -> T {
        let name = self.fresh(op);
        self.node(op, inputs, &[&name], attrs);
        self.shapes.insert(name.clone(), shape.clone());
        T { name, shape }
    }

    fn elementwise(&mut self, op: &str, a: &T, b: &T) -> GResult<T> {
        let Some(shape) = broadcast(&a.shape, &b.shape) else {
            return err(format!(
                "{op}: shapes {:?} and {:?} do not broadcast",
                a.shape, b.shape
            ));
        };
        Ok(self.op(op, &[&a.name, &b.name], vec![], shape))
    }

    pub fn add(&mut self, a: &T, b: &T) -> GResult<T> {
        self.elementwise("Add", a, b)
    }
    pub fn sub(&mut self, a: &T, b: &T) -> GResult<T> {
        self.elementwise("Sub", a, b)
    }
    pub fn mul(&mut self, a: &T, b: &T) -> GResult<T> {
        self.elementwise("Mul", a, b)
    }
    pub fn div(&mut self, a: &T, b: &T) -> GResult<T> {
        self.elementwise("Div", a, b)
    }

    pub fn unary(&mut self, op: &str, x: &T) -> T {
        self.op(op, &[&x.name], vec![], x.shape.clone())
    }

    /// `x · s` for a float `s`.
    pub fn scale(&mut self, x: &T, s: f32) -> GResult<T> {
        let c = self.scalar(s);
        self.mul(x, &c)
    }

    /// GELU with the exact erf, as `F.gelu` (in the pattern ONNX Runtime fuses).
    pub fn gelu(&mut self, x: &T) -> GResult<T> {
        let r2 = self.scalar(std::f32::consts::SQRT_2);
        let one = self.scalar(1.0);
        let half = self.scalar(0.5);
        let d = self.div(x, &r2)?;
        let e = self.unary("Erf", &d);
        let p = self.add(&e, &one)?;
        let m = self.mul(x, &p)?;
        self.mul(&m, &half)
    }

    pub fn relu(&mut self, x: &T) -> T {
        self.unary("Relu", x)
    }

    pub fn reshape(&mut self, x: &T, shape: &[usize]) -> GResult<T> {
        if shape.iter().product::<usize>() != x.numel() {
            return err(format!("reshape {:?} to {shape:?}", x.shape));
        }
        let s: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let sn = self.int64s(&s);
        Ok(self.op("Reshape", &[&x.name, &sn], vec![], shape.to_vec()))
    }

    pub fn transpose(&mut self, x: &T, perm: &[usize]) -> GResult<T> {
        if perm.len() != x.shape.len() {
            return err(format!("transpose {:?} by {perm:?}", x.shape));
        }
        let shape = perm.iter().map(|&p| x.shape[p]).collect();
        let p: Vec<i64> = perm.iter().map(|&p| p as i64).collect();
        Ok(self.op("Transpose", &[&x.name], vec![attr_ints("perm", &p)], shape))
    }

    /// `x[..., start:end, ...]` on one axis.
    pub fn slice(&mut self, x: &T, axis: usize, start: usize, end: usize) -> GResult<T> {
        if axis >= x.shape.len() || start > end || end > x.shape[axis] {
            return err(format!(
                "slice {start}..{end} of axis {axis} of {:?}",
                x.shape
            ));
        }
        let mut shape = x.shape.clone();
        shape[axis] = end - start;
        let s = self.int64s(&[start as i64]);
        let e = self.int64s(&[end as i64]);
        let a = self.int64s(&[axis as i64]);
        Ok(self.op("Slice", &[&x.name, &s, &e, &a], vec![], shape))
    }

    /// Zero padding at the end of the last axis.
    pub fn pad_end(&mut self, x: &T, n: usize) -> GResult<T> {
        if n == 0 {
            return Ok(x.clone());
        }
        let rank = x.shape.len();
        let mut pads = vec![0i64; 2 * rank];
        pads[2 * rank - 1] = n as i64;
        let p = self.int64s(&pads);
        let mut shape = x.shape.clone();
        shape[rank - 1] += n;
        Ok(self.op("Pad", &[&x.name, &p], vec![], shape))
    }

    /// A transposed convolution along axis 2 whose kernel is two strides (HTDemucs': 8
    /// and 4), as a sub-pixel convolution: output j·s + r is w[r]·x[j] + w[r + s]·x[j − 1],
    /// so a Conv of kernel 2 (padded by one) gives every phase r as a channel, and one
    /// transpose interleaves them. ONNX Runtime's ConvTranspose goes through col2im and took
    /// a sixth of the network's time for 8 of its 400 nodes.
    /// `x` [B, Cin, L] or [B, Cin, L, T]; `weight` PyTorch's [Cin, Cout, 2s] (with a
    /// trailing kernel axis of 1 for 4-D); `bias` [Cout]. Gives [B, Cout, (L − 1)·s + 2s, (T)].
    pub fn conv_transpose_subpixel(
        &mut self,
        x: &T,
        weight: &[f32],
        cout: usize,
        stride: usize,
        bias: &[f32],
    ) -> GResult<T> {
        let four = x.shape.len() == 4;
        let (b, cin, l) = (x.shape[0], x.shape[1], x.shape[2]);
        let k = 2 * stride;
        if !(x.shape.len() == 3 || four)
            || stride == 0
            || weight.len() != cin * cout * k
            || bias.len() != cout
        {
            return err(format!("transposed conv of {:?}: stride {stride}", x.shape));
        }
        // K[co·s + r, ci, 0] = w[ci, co, r + s] (meets x[j − 1]); K[.., 1] = w[ci, co, r].
        let mut kd = vec![0f32; cout * stride * cin * 2];
        for co in 0..cout {
            for r in 0..stride {
                for ci in 0..cin {
                    let at = ((co * stride + r) * cin + ci) * 2;
                    kd[at] = weight[(ci * cout + co) * k + r + stride];
                    kd[at + 1] = weight[(ci * cout + co) * k + r];
                }
            }
        }
        let (kshape, geom) = if four {
            (
                vec![cout * stride, cin, 2, 1],
                Geom::new(&[2, 1], &[1, 1], &[1, 0], &[1, 1]),
            )
        } else {
            (
                vec![cout * stride, cin, 2],
                Geom::new(&[2], &[1], &[1], &[1]),
            )
        };
        let kt = self.constant("conv_tr_subpixel", &kshape, &kd)?;
        // Every output gets its channel's bias once: as the conv's bias, per phase.
        let bd: Vec<f32> = (0..cout * stride).map(|c| bias[c / stride]).collect();
        let bt = self.constant("conv_tr_subpixel_bias", &[cout * stride], &bd)?;
        let z = self.conv(x, &kt, Some(&bt), &geom)?;
        let n = l + 1;
        let y = if four {
            let t = x.shape[3];
            let y = self.reshape(&z, &[b, cout, stride, n, t])?;
            let y = self.transpose(&y, &[0, 1, 3, 2, 4])?;
            self.reshape(&y, &[b, cout, n * stride, t])?
        } else {
            let y = self.reshape(&z, &[b, cout, stride, n])?;
            let y = self.transpose(&y, &[0, 1, 3, 2])?;
            self.reshape(&y, &[b, cout, n * stride])?
        };
        Ok(y)
    }

    /// Two equal halves along `axis`.
    pub fn halves(&mut self, x: &T, axis: usize) -> GResult<(T, T)> {
        let n = x.shape[axis];
        if !n.is_multiple_of(2) {
            return err(format!("halves of axis {axis} of {:?}", x.shape));
        }
        let a = self.slice(x, axis, 0, n / 2)?;
        let b = self.slice(x, axis, n / 2, n)?;
        Ok((a, b))
    }

    /// `F.glu(x, dim=axis)`: first half · sigmoid(second half).
    pub fn glu(&mut self, x: &T, axis: usize) -> GResult<T> {
        let (a, b) = self.halves(x, axis)?;
        let s = self.unary("Sigmoid", &b);
        self.mul(&a, &s)
    }

    pub fn reduce_mean(&mut self, x: &T, axes: &[usize]) -> T {
        let mut shape = x.shape.clone();
        for &a in axes {
            shape[a] = 1;
        }
        let ax: Vec<i64> = axes.iter().map(|&a| a as i64).collect();
        self.op(
            "ReduceMean",
            &[&x.name],
            vec![attr_ints("axes", &ax), attr_int("keepdims", 1)],
            shape,
        )
    }

    /// The mean of `x` [N, G, P] over its last axis, as [N, G, 1]. Long axes are summed in
    /// two stages: ONNX Runtime accumulates a reduction in one float32 sum, which over
    /// millions of values (a spectrogram, a transformer's group norm) drifts by 1e-4, where
    /// PyTorch's pairwise sums stay exact to 1e-7.
    pub fn mean_last(&mut self, x: &T) -> GResult<T> {
        let (n, g, p) = (x.shape[0], x.shape[1], x.shape[2]);
        let root = (p as f64).sqrt() as usize;
        let split = (root.max(1)..=(root * 4).min(p))
            .find(|b| p % b == 0)
            .or_else(|| (1..=root).rev().find(|b| p % b == 0))
            .filter(|&b| p > 4096 && b > 1 && b < p);
        match split {
            Some(b) => {
                let r = self.reshape(x, &[n, g, p / b, b])?;
                let inner = self.reduce_mean(&r, &[3]);
                let outer = self.reduce_mean(&inner, &[2]);
                self.reshape(&outer, &[n, g, 1])
            }
            None => Ok(self.reduce_mean(x, &[2])),
        }
    }

    /// `x @ w` for `x` [.., n, k] and `w` [.., k, m] (batch dimensions broadcast).
    pub fn matmul(&mut self, x: &T, w: &T) -> GResult<T> {
        let (xr, wr) = (x.shape.len(), w.shape.len());
        if xr < 2 || wr < 2 || x.shape[xr - 1] != w.shape[wr - 2] {
            return err(format!("matmul {:?} × {:?}", x.shape, w.shape));
        }
        let Some(mut shape) = broadcast(&x.shape[..xr - 2], &w.shape[..wr - 2]) else {
            return err(format!("matmul batch {:?} × {:?}", x.shape, w.shape));
        };
        shape.push(x.shape[xr - 2]);
        shape.push(w.shape[wr - 1]);
        Ok(self.op("MatMul", &[&x.name, &w.name], vec![], shape))
    }

    /// ONNX Runtime's fused attention (`com.microsoft.MultiHeadAttention`) of projected
    /// queries `q` [B, S, E] over keys `k` and values `v` [B, L, E]: the scores are never
    /// materialised whole, where MatMul → Softmax → MatMul holds [B, H, S, L] twice.
    /// `scale` multiplies the scores (1/√d when the queries are not scaled already).
    pub fn attention(&mut self, q: &T, k: &T, v: &T, heads: usize, scale: f32) -> GResult<T> {
        if q.shape.len() != 3
            || k.shape != v.shape
            || k.shape.len() != 3
            || q.shape[2] != k.shape[2]
            || !q.shape[2].is_multiple_of(heads)
        {
            return err(format!("attention of {:?} over {:?}", q.shape, k.shape));
        }
        let mut t = self.op(
            "MultiHeadAttention",
            &[&q.name, &k.name, &v.name],
            vec![
                attr_int("num_heads", heads as i64),
                attr_float("scale", scale),
            ],
            q.shape.clone(),
        );
        if let Some(n) = self.nodes.last_mut() {
            n.domain = "com.microsoft".into();
        }
        t.shape = q.shape.clone();
        Ok(t)
    }

    pub fn softmax(&mut self, x: &T, axis: usize) -> T {
        self.op(
            "Softmax",
            &[&x.name],
            vec![attr_int("axis", axis as i64)],
            x.shape.clone(),
        )
    }

    /// LayerNormalization over the last axis.
    pub fn layer_norm(&mut self, x: &T, scale: &T, bias: &T, eps: f32) -> GResult<T> {
        let c = *x.shape.last().unwrap_or(&0);
        if scale.shape != [c] || bias.shape != [c] {
            return err(format!(
                "layer norm of {:?} with {:?}",
                x.shape, scale.shape
            ));
        }
        Ok(self.op(
            "LayerNormalization",
            &[&x.name, &scale.name, &bias.name],
            vec![attr_int("axis", -1), attr_float("epsilon", eps)],
            x.shape.clone(),
        ))
    }

    /// `nn.GroupNorm(groups, C)` on `x` [N, C, ...] with affine `gamma`, `beta` [C].
    pub fn group_norm(
        &mut self,
        x: &T,
        groups: usize,
        gamma: &T,
        beta: &T,
        eps: f32,
    ) -> GResult<T> {
        let (n, c) = (x.shape[0], x.shape[1]);
        if groups == 0 || c % groups != 0 || gamma.shape != [c] || beta.shape != [c] {
            return err(format!("group norm ({groups} groups) of {:?}", x.shape));
        }
        let per = x.numel() / n / groups;
        let g = self.reshape(x, &[n, groups, per])?;
        let y = if per <= INSTANCE_NORM_MAX {
            // One kernel (InstanceNormalization over each group) instead of seven passes.
            let ones = self.constant("ones", &[groups], &vec![1.0; groups])?;
            let zeros = self.constant("zeros", &[groups], &vec![0.0; groups])?;
            self.op(
                "InstanceNormalization",
                &[&g.name, &ones.name, &zeros.name],
                vec![attr_float("epsilon", eps)],
                g.shape.clone(),
            )
        } else {
            let mean = self.mean_last(&g)?;
            let d = self.sub(&g, &mean)?;
            let sq = self.mul(&d, &d)?;
            let var = self.mean_last(&sq)?;
            let e = self.scalar(eps);
            let ve = self.add(&var, &e)?;
            let sd = self.unary("Sqrt", &ve);
            self.div(&d, &sd)?
        };
        let y = self.reshape(&y, &x.shape)?;
        let mut affine = vec![c];
        affine.extend(std::iter::repeat_n(1, x.shape.len() - 2));
        let gm = self.reshape(gamma, &affine)?;
        let bt = self.reshape(beta, &affine)?;
        let y = self.mul(&y, &gm)?;
        self.add(&y, &bt)
    }

    /// Conv (1-D or 2-D by the weight's rank): `w` [M, C, k...], `b` [M].
    pub fn conv(&mut self, x: &T, w: &T, b: Option<&T>, geom: &Geom) -> GResult<T> {
        let sp = w.shape.len() - 2;
        let fits = x.shape.len() == sp + 2
            && x.shape[1] == w.shape[1]
            && w.shape[2..] == geom.kernel[..]
            && [&geom.stride, &geom.pad, &geom.dilation]
                .iter()
                .all(|v| v.len() == sp);
        if !fits {
            return err(format!(
                "conv of {:?} with weight {:?} and {geom:?}",
                x.shape, w.shape
            ));
        }
        let mut shape = vec![x.shape[0], w.shape[0]];
        for (i, &k) in geom.kernel.iter().enumerate() {
            let span = geom.dilation[i] * (k - 1) + 1;
            let len = x.shape[2 + i] + 2 * geom.pad[i];
            if len < span {
                return err(format!("conv kernel {span} longer than input {len}"));
            }
            shape.push((len - span) / geom.stride[i] + 1);
        }
        let to = |v: &[usize]| v.iter().map(|&d| d as i64).collect::<Vec<_>>();
        let mut pads = to(&geom.pad);
        pads.extend(to(&geom.pad));
        let attrs = vec![
            attr_ints("kernel_shape", &to(&geom.kernel)),
            attr_ints("strides", &to(&geom.stride)),
            attr_ints("pads", &pads),
            attr_ints("dilations", &to(&geom.dilation)),
        ];
        let mut inputs = vec![x.name.clone(), w.name.clone()];
        if let Some(b) = b {
            inputs.push(b.name.clone());
        }
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        Ok(self.op("Conv", &refs, attrs, shape))
    }

    /// ConvTranspose without padding: `w` [C, M, k...] (PyTorch's layout), `b` [M].
    pub fn conv_transpose(&mut self, x: &T, w: &T, b: &T, stride: &[usize]) -> GResult<T> {
        let sp = w.shape.len() - 2;
        if x.shape.len() != sp + 2 || x.shape[1] != w.shape[0] || stride.len() != sp {
            return err(format!(
                "transposed conv of {:?} with weight {:?}",
                x.shape, w.shape
            ));
        }
        let mut shape = vec![x.shape[0], w.shape[1]];
        for (i, &s) in stride.iter().enumerate() {
            shape.push((x.shape[2 + i] - 1) * s + w.shape[2 + i]);
        }
        let to = |v: &[usize]| v.iter().map(|&d| d as i64).collect::<Vec<_>>();
        let attrs = vec![
            attr_ints("kernel_shape", &to(&w.shape[2..])),
            attr_ints("strides", &to(stride)),
        ];
        Ok(self.op("ConvTranspose", &[&x.name, &w.name, &b.name], attrs, shape))
    }

    /// Ends the current stage: the nodes added from here on form the next one (see
    /// [`Graph::finish_stages`]).
    pub fn begin_stage(&mut self) {
        let at = self.nodes.len();
        if at > 0 && self.stage_starts.last() != Some(&at) {
            self.stage_starts.push(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_checked_while_building() {
        let mut g = Graph::default();
        let x = g.input("x", &[1, 4, 16, 3]);
        let w = g.constant("w", &[8, 4, 8, 1], &[0.0; 256]).expect("w");
        let b = g.constant("b", &[8], &[0.0; 8]).expect("b");
        let geom = Geom::new(&[8, 1], &[4, 1], &[2, 0], &[1, 1]);
        let y = g.conv(&x, &w, Some(&b), &geom).expect("conv");
        assert_eq!(y.shape, vec![1, 8, 4, 3]);
        let wt = g.constant("wt", &[8, 4, 8, 1], &[0.0; 256]).expect("wt");
        let bt = g.constant("bt", &[4], &[0.0; 4]).expect("bt");
        let z = g
            .conv_transpose(&y, &wt, &bt, &[4, 1])
            .expect("conv_transpose");
        assert_eq!(z.shape, vec![1, 4, 20, 3]);
        assert!(
            g.conv(
                &x,
                &w,
                Some(&b),
                &Geom::new(&[3, 1], &[1, 1], &[0, 0], &[1, 1])
            )
            .is_err()
        );
        assert!(g.reshape(&z, &[7]).is_err());
        assert!(g.add(&z, &y).is_err());
        assert_eq!(broadcast(&[2, 1, 3], &[4, 1]), Some(vec![2, 4, 3]));
    }
}
