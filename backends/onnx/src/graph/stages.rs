//! A graph cut into stages (see [`Graph::begin_stage`]), each written as a model of its
//! own, and the `ModelProto` around a graph.

use std::collections::{HashMap, HashSet};

use prost::Message;

use super::proto::{
    GraphProto, ModelProto, OperatorSetIdProto, StringStringEntryProto, ValueInfoProto,
};
use super::{GResult, Graph, err, value_info};

impl Graph {
    /// One serialized model per stage, to run one after the other: a stage's inputs are
    /// the graph's inputs and the values of earlier stages it reads, its outputs the values
    /// later stages read; the last stage computes the graph's outputs, in their order.
    /// ONNX Runtime keeps a dead buffer for a later value of the same size, so in one
    /// session the encoder's buffers stay allocated until the decoder's mirrored layers
    /// reuse them; sessions do not share buffers.
    pub fn finish_stages(
        self,
        producer: &str,
        metadata: &[(&str, String)],
    ) -> GResult<Vec<Vec<u8>>> {
        let Graph {
            nodes,
            inits,
            inputs,
            outputs,
            shapes,
            stage_starts,
            ..
        } = self;
        let mut bounds = vec![0];
        bounds.extend(stage_starts.iter().copied().filter(|&b| b < nodes.len()));
        bounds.push(nodes.len());
        let ranges: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        // Stages follow each other, so the last insert is the last reader.
        let mut last_read: HashMap<&str, usize> = HashMap::new();
        for (k, &(a, b)) in ranges.iter().enumerate() {
            for v in nodes[a..b].iter().flat_map(|n| &n.input) {
                last_read.insert(v, k);
            }
        }
        let info = |name: &str| value_info(name, shapes.get(name).map_or(&[][..], |s| s));
        let last = ranges.len() - 1;
        let mut models = Vec::with_capacity(ranges.len());
        for (k, &(a, b)) in ranges.iter().enumerate() {
            let stage = &nodes[a..b];
            let made: HashSet<&str> = stage
                .iter()
                .flat_map(|n| &n.output)
                .map(String::as_str)
                .collect();
            let read: HashSet<&str> = stage
                .iter()
                .flat_map(|n| &n.input)
                .map(String::as_str)
                .collect();
            // Graph inputs first, in their order; then earlier stages' values in the order
            // they were made.
            let mut stage_inputs: Vec<ValueInfoProto> = inputs
                .iter()
                .filter(|i| read.contains(i.name.as_str()))
                .cloned()
                .collect();
            let mut seen = HashSet::new();
            for n in &nodes[..a] {
                for o in &n.output {
                    if read.contains(o.as_str()) && seen.insert(o.as_str()) {
                        stage_inputs.push(info(o));
                    }
                }
            }
            let stage_outputs: Vec<ValueInfoProto> = if k == last {
                if let Some(o) = outputs.iter().find(|o| !made.contains(o.name.as_str())) {
                    return err(format!(
                        "graph output {} is not made in the last stage",
                        o.name
                    ));
                }
                outputs.clone()
            } else {
                stage
                    .iter()
                    .flat_map(|n| &n.output)
                    .filter(|o| last_read.get(o.as_str()).is_some_and(|&r| r > k))
                    .map(|o| info(o))
                    .collect()
            };
            let stage_inits = inits
                .iter()
                .filter(|t| read.contains(t.name.as_str()) && !made.contains(t.name.as_str()))
                .cloned()
                .collect();
            let graph = GraphProto {
                node: stage.to_vec(),
                name: format!("{producer} stage {k}"),
                initializer: stage_inits,
                input: stage_inputs,
                output: stage_outputs,
            };
            models.push(model(graph, producer, metadata));
        }
        Ok(models)
    }
}

/// A `ModelProto` (ONNX IR 8, opset 17 and Microsoft's contrib ops) around `graph`.
fn model(graph: GraphProto, producer: &str, metadata: &[(&str, String)]) -> Vec<u8> {
    let model = ModelProto {
        ir_version: 8,
        producer_name: producer.into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        graph: Some(graph),
        opset_import: vec![
            OperatorSetIdProto {
                domain: String::new(),
                version: 17,
            },
            OperatorSetIdProto {
                domain: "com.microsoft".into(),
                version: 1,
            },
        ],
        metadata_props: metadata
            .iter()
            .map(|(k, v)| StringStringEntryProto {
                key: k.to_string(),
                value: v.clone(),
            })
            .collect(),
    };
    model.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::T;

    /// Names of a stage's inputs, outputs and initializers.
    fn names(bytes: &[u8]) -> (Vec<String>, Vec<String>, Vec<String>) {
        let m = ModelProto::decode(bytes).expect("a model");
        let g = m.graph.expect("a graph");
        let n = |v: &[ValueInfoProto]| v.iter().map(|i| i.name.clone()).collect();
        (
            n(&g.input),
            n(&g.output),
            g.initializer.iter().map(|t| t.name.clone()).collect(),
        )
    }

    /// x, y → a = 2x, b = a + y | c = relu(b), d = c · a | (empty) | out = d + x;
    /// with `early`, the output is marked in a stage before the last.
    fn three_stages(early: bool) -> (Graph, [T; 3]) {
        let mut g = Graph::default();
        let x = g.input("x", &[1, 4]);
        let y = g.input("y", &[1, 4]);
        let a = g.scale(&x, 2.0).expect("a");
        let b = g.add(&a, &y).expect("b");
        g.begin_stage();
        let c = g.relu(&b);
        let d = g.mul(&c, &a).expect("d");
        g.begin_stage();
        g.begin_stage(); // an empty stage is no stage
        let e = g.add(&d, &x).expect("e");
        g.output(&e, "out");
        if early {
            g.begin_stage();
            g.relu(&e);
        }
        (g, [a, b, d])
    }

    #[test]
    fn stages_read_what_earlier_stages_made() {
        assert!(
            Graph::default().finish_stages("t", &[]).is_ok(),
            "a graph without nodes is one empty stage"
        );
        let (g, _) = three_stages(true);
        assert!(
            g.finish_stages("t", &[]).is_err(),
            "an output made before the last stage is refused"
        );
        let (g, [a, b, d]) = three_stages(false);
        let stages = g.finish_stages("t", &[]).expect("stages");
        assert_eq!(stages.len(), 3);
        let (i0, o0, w0) = names(&stages[0]);
        assert_eq!(i0, ["x", "y"]);
        assert_eq!(o0, [a.name.clone(), b.name.clone()], "a is read by stage 1");
        assert_eq!(w0.len(), 1, "the scale's constant");
        let (i1, o1, w1) = names(&stages[1]);
        assert_eq!(i1, [a.name.clone(), b.name.clone()]);
        assert_eq!(
            o1,
            std::slice::from_ref(&d.name),
            "c is used only inside stage 1"
        );
        assert!(w1.is_empty());
        let (i2, o2, _) = names(&stages[2]);
        assert_eq!(i2, ["x".to_string(), d.name.clone()], "graph inputs first");
        assert_eq!(o2, ["out"]);
    }
}
