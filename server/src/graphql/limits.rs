//! What one GraphQL operation may cost, checked before any resolver runs (by
//! [`super::api::Api`], for HTTP and WebSocket requests alike).
//!
//! Each field costs 1 plus the cost of its children; a list multiplies its children's
//! cost by the number of items it may return: the `limit` of the connection it belongs
//! to (`recordings(pagination: { page: { limit: 20 } }) { nodes { … } }`), or
//! `server.default_page_size` when the query gives none, which is also what seaography
//! returns then. So `recordings { nodes { stems { nodes { id } } } }` costs about
//! 50 × 50 with the defaults, whatever the library holds today. Besides that estimate,
//! an operation may select at most `server.max_query_fields` fields (counted as
//! executed: a fragment counts every time it is spread) and `server.max_query_aliases`
//! aliases, nest at most `server.max_query_depth` levels, and no list may ask for more
//! than `server.max_page_size` items. Every refusal
//! names the limit and its setting.

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, Value, Variables};
use std::collections::HashMap;

/// The limits of one operation.
#[derive(Clone, Debug)]
pub struct QueryLimits {
    pub depth: u64,
    pub complexity: u64,
    pub fields: u64,
    pub aliases: u64,
    pub default_page_size: u64,
    pub max_page_size: u64,
}

/// The argument of seaography's list fields that carries the page size.
const PAGINATION: &str = "pagination";

/// What the analysis needs of the schema: each object type's fields, with the type each
/// returns, whether that is a list, and whether the field takes `pagination`.
#[derive(Debug, Default)]
pub struct TypeIndex {
    types: HashMap<String, HashMap<String, FieldInfo>>,
    roots: [String; 3],
}

#[derive(Debug)]
struct FieldInfo {
    ty: String,
    list: bool,
    paginated: bool,
}

impl TypeIndex {
    /// Reads the schema's SDL (what `Schema::sdl()` prints).
    pub fn from_sdl(sdl: &str) -> Result<TypeIndex, String> {
        let doc = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut index = TypeIndex {
            types: HashMap::new(),
            roots: ["Query".into(), "Mutation".into(), "Subscription".into()],
        };
        for def in doc.definitions {
            match def {
                TypeSystemDefinition::Schema(s) => {
                    let s = s.node;
                    for (slot, name) in [s.query, s.mutation, s.subscription]
                        .into_iter()
                        .enumerate()
                    {
                        if let Some(name) = name {
                            index.roots[slot] = name.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let t = t.node;
                    let fields = match t.kind {
                        TypeKind::Object(o) => o.fields,
                        TypeKind::Interface(i) => i.fields,
                        _ => continue,
                    };
                    let fields = fields
                        .into_iter()
                        .map(|f| {
                            let f = f.node;
                            let (ty, list) = named(&f.ty.node);
                            let paginated =
                                f.arguments.iter().any(|a| a.node.name.node == PAGINATION);
                            (
                                f.name.node.to_string(),
                                FieldInfo {
                                    ty,
                                    list,
                                    paginated,
                                },
                            )
                        })
                        .collect();
                    index.types.insert(t.name.node.to_string(), fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(index)
    }

    fn field(&self, ty: &str, name: &str) -> Option<&FieldInfo> {
        self.types.get(ty)?.get(name)
    }
}

/// The named type at the bottom of `ty`, and whether there is a list on the way.
fn named(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(n) => (n.to_string(), false),
        BaseType::List(inner) => (named(inner).0, true),
    }
}

/// Why an operation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "query is nested too deep: more than the limit of {limit} levels (server.max_query_depth)"
    )]
    Depth { limit: u64 },
    #[error(
        "query is too complex: its estimated cost of {cost} exceeds the limit of {limit} \
         (server.max_query_complexity; lists count their page size)"
    )]
    Complexity { cost: u64, limit: u64 },
    #[error("query selects more than the limit of {limit} fields (server.max_query_fields)")]
    Fields { limit: u64 },
    #[error("query uses more than the limit of {limit} aliases (server.max_query_aliases)")]
    Aliases { limit: u64 },
    #[error(
        "page size {requested} of `{field}` exceeds the limit of {limit} (server.max_page_size)"
    )]
    PageSize {
        field: String,
        requested: u64,
        limit: u64,
    },
}

/// What an accepted operation was found to cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub complexity: u64,
    pub fields: u64,
    pub aliases: u64,
}

/// Checks every operation of `doc` (each must pass on its own).
pub fn check_document(
    doc: &ExecutableDocument,
    variables: &Variables,
    index: &TypeIndex,
    limits: &QueryLimits,
) -> Result<Vec<Cost>, LimitError> {
    doc.operations
        .iter()
        .map(|(_, op)| check_operation(doc, &op.node, variables, index, limits))
        .collect()
}

fn check_operation(
    doc: &ExecutableDocument,
    op: &OperationDefinition,
    variables: &Variables,
    index: &TypeIndex,
    limits: &QueryLimits,
) -> Result<Cost, LimitError> {
    use async_graphql::parser::types::OperationType;
    let root = match op.ty {
        OperationType::Query => &index.roots[0],
        OperationType::Mutation => &index.roots[1],
        OperationType::Subscription => &index.roots[2],
    };
    let mut walk = Walk {
        doc,
        op,
        variables,
        index,
        limits,
        fields: 0,
        aliases: 0,
        depth: 0,
        steps: 0,
        fragments: Vec::new(),
    };
    let complexity = walk.selection_set(&op.selection_set.node, Some(root.as_str()), None)?;
    if complexity > limits.complexity {
        return Err(LimitError::Complexity {
            cost: complexity,
            limit: limits.complexity,
        });
    }
    Ok(Cost {
        complexity,
        fields: walk.fields,
        aliases: walk.aliases,
    })
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    op: &'a OperationDefinition,
    variables: &'a Variables,
    index: &'a TypeIndex,
    limits: &'a QueryLimits,
    fields: u64,
    aliases: u64,
    /// Nesting of the field being visited (a root field is at 1).
    depth: u64,
    /// Selections visited (fields, spreads, inline fragments): bounds the walk itself.
    steps: u64,
    /// Fragments being expanded (a cycle is left to validation to report).
    fragments: Vec<&'a Name>,
}

impl<'a> Walk<'a> {
    /// The cost of a selection set on type `ty` (`None`: a type the index does not know,
    /// such as introspection's). `page` is the page size of the list field it belongs to.
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        ty: Option<&'a str>,
        page: Option<u64>,
    ) -> Result<u64, LimitError> {
        let mut total = 0u64;
        for item in &set.items {
            self.steps += 1;
            if self.steps > self.limits.fields.saturating_mul(8) {
                return Err(LimitError::Fields {
                    limit: self.limits.fields,
                });
            }
            let cost = match &item.node {
                Selection::Field(f) => self.field(&f.node, ty, page)?,
                Selection::InlineFragment(frag) => {
                    let ty = match &frag.node.type_condition {
                        Some(c) => Some(c.node.on.node.as_str()),
                        None => ty,
                    };
                    self.selection_set(&frag.node.selection_set.node, ty, page)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(def) = self.doc.fragments.get(name) else {
                        continue; // unknown: validation reports it
                    };
                    if self.fragments.contains(&name) {
                        continue; // a cycle: validation reports it
                    }
                    self.fragments.push(name);
                    let ty = Some(def.node.type_condition.node.on.node.as_str());
                    let cost = self.selection_set(&def.node.selection_set.node, ty, page);
                    self.fragments.pop();
                    cost?
                }
            };
            total = total.saturating_add(cost);
        }
        Ok(total)
    }

    fn field(
        &mut self,
        field: &'a async_graphql::parser::types::Field,
        parent: Option<&'a str>,
        page: Option<u64>,
    ) -> Result<u64, LimitError> {
        self.fields += 1;
        if self.fields > self.limits.fields {
            return Err(LimitError::Fields {
                limit: self.limits.fields,
            });
        }
        if field.alias.is_some() {
            self.aliases += 1;
            if self.aliases > self.limits.aliases {
                return Err(LimitError::Aliases {
                    limit: self.limits.aliases,
                });
            }
        }
        self.depth += 1;
        if self.depth > self.limits.depth {
            return Err(LimitError::Depth {
                limit: self.limits.depth,
            });
        }
        let name = field.name.node.as_str();
        let info = parent.and_then(|p| self.index.field(p, name));
        // Lists multiply their children: by the page size of their connection, else by
        // the default page size (a list of unknown length). Introspection is static and
        // small, so its lists count once (the field and alias limits still hold).
        let multiplier = match info {
            Some(i) if i.list => page.unwrap_or(self.limits.default_page_size),
            _ => 1,
        };
        let child_page = match info {
            Some(i) if i.paginated => Some(self.page_size(field)?),
            _ => None,
        };
        let children = if field.selection_set.node.items.is_empty() {
            0
        } else {
            self.selection_set(
                &field.selection_set.node,
                info.map(|i| i.ty.as_str()),
                child_page,
            )?
        };
        self.depth -= 1;
        Ok(children.saturating_mul(multiplier).saturating_add(1))
    }

    /// The page size a list field asks for: the `limit` of its `pagination` (page,
    /// offset or cursor), or the default; over the maximum is refused.
    fn page_size(&self, field: &async_graphql::parser::types::Field) -> Result<u64, LimitError> {
        let Some(arg) = field.get_argument(PAGINATION) else {
            return Ok(self.limits.default_page_size);
        };
        let value = arg.node.clone().into_const_with(|var| self.variable(&var));
        let requested = match value {
            Ok(Value::Object(kinds)) => kinds
                .values()
                .filter_map(|kind| match kind {
                    Value::Object(o) => o.get("limit").and_then(as_u64),
                    _ => None,
                })
                .max(),
            _ => None,
        };
        match requested {
            Some(n) if n > self.limits.max_page_size => Err(LimitError::PageSize {
                field: field.response_key().node.to_string(),
                requested: n,
                limit: self.limits.max_page_size,
            }),
            Some(n) => Ok(n),
            None => Ok(self.limits.default_page_size),
        }
    }

    /// A variable's value: given, else its default in the operation.
    fn variable(&self, name: &Name) -> Result<Value, ()> {
        if let Some(v) = self.variables.get(name) {
            return Ok(v.clone());
        }
        self.op
            .variable_definitions
            .iter()
            .find(|d| &d.node.name.node == name)
            .and_then(|d| d.node.default_value.as_ref())
            .map(|v| v.node.clone())
            .ok_or(())
    }
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        type Query {
          recordings(pagination: PaginationInput): RecordingConnection!
          me: User
        }
        type User { id: ID! tokens: [Token!]! }
        type Token { id: ID! name: String! }
        type RecordingConnection { nodes: [Recording!]! edges: [RecordingEdge!]! pageInfo: PageInfo! }
        type RecordingEdge { node: Recording! cursor: String! }
        type PageInfo { hasNextPage: Boolean! }
        type Recording { id: ID! title: String! stems(pagination: PaginationInput): StemConnection! }
        type StemConnection { nodes: [Stem!]! }
        type Stem { id: ID! name: String! }
        input PaginationInput { page: PageInput offset: OffsetInput }
        input PageInput { limit: Int! page: Int! }
        input OffsetInput { limit: Int! offset: Int! }
    "#;

    fn limits() -> QueryLimits {
        QueryLimits {
            depth: 12,
            complexity: 1_000_000,
            fields: 1000,
            aliases: 10,
            default_page_size: 50,
            max_page_size: 500,
        }
    }

    fn cost(
        query: &str,
        vars: serde_json::Value,
        limits: &QueryLimits,
    ) -> Result<Cost, LimitError> {
        let index = TypeIndex::from_sdl(SDL).expect("sdl");
        let doc = async_graphql::parser::parse_query(query).expect("query parses");
        let vars = Variables::from_json(vars);
        check_document(&doc, &vars, &index, limits).map(|c| c[0])
    }

    #[test]
    fn lists_multiply_by_their_page_size() {
        let l = limits();
        // recordings 1 + nodes (1 + 50 × (id + title)).
        let c = cost(
            "{ recordings { nodes { id title } } }",
            serde_json::json!({}),
            &l,
        )
        .expect("ok");
        assert_eq!(c.complexity, 1 + 1 + 50 * 2);
        let c = cost(
            "{ recordings(pagination: { page: { limit: 10, page: 0 } }) { nodes { id } pageInfo { hasNextPage } } }",
            serde_json::json!({}),
            &l,
        )
        .expect("ok");
        assert_eq!(c.complexity, 1 + (1 + 10) + (1 + 1));
        // Nested lists multiply: 50 recordings × 50 stems.
        let c = cost(
            "{ recordings { nodes { stems { nodes { id } } } } }",
            serde_json::json!({}),
            &l,
        )
        .expect("ok");
        assert_eq!(c.complexity, 1 + 1 + 50 * (1 + 1 + 50));
        // Edges count like nodes; a plain list uses the default page size.
        let c = cost(
            "{ recordings(pagination: { offset: { limit: 3, offset: 0 } }) { edges { cursor node { id } } } me { tokens { id } } }",
            serde_json::json!({}),
            &l,
        )
        .expect("ok");
        assert_eq!(c.complexity, (1 + 1 + 3 * (1 + 2)) + (1 + 1 + 50));
    }

    #[test]
    fn page_sizes_from_variables_and_defaults() {
        let l = limits();
        let q = "query($n: Int!) { recordings(pagination: { page: { limit: $n, page: 0 } }) { nodes { id } } }";
        let c = cost(q, serde_json::json!({ "n": 7 }), &l).expect("ok");
        assert_eq!(c.complexity, 1 + 1 + 7);
        let err = cost(q, serde_json::json!({ "n": 501 }), &l).expect_err("too big");
        assert_eq!(
            err,
            LimitError::PageSize {
                field: "recordings".into(),
                requested: 501,
                limit: 500
            }
        );
        let q = "query($p: PaginationInput = { page: { limit: 900, page: 0 } }) { recordings(pagination: $p) { nodes { id } } }";
        assert!(matches!(
            cost(q, serde_json::json!({}), &l),
            Err(LimitError::PageSize { requested: 900, .. })
        ));
    }

    #[test]
    fn fragments_count_where_spread_and_cycles_end() {
        let l = limits();
        let q = "{ recordings { nodes { ...R } } } fragment R on Recording { id title }";
        let c = cost(q, serde_json::json!({}), &l).expect("ok");
        assert_eq!(c.complexity, 1 + 1 + 50 * 2);
        assert_eq!(c.fields, 4);
        let q = "{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }";
        assert!(cost(q, serde_json::json!({}), &l).is_ok());
        // A fragment bomb: 2^20 fields as executed, refused after the limit.
        let mut q = String::from("{ me { ...F0 } }");
        for i in 0..20 {
            q.push_str(&format!(
                " fragment F{i} on User {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        q.push_str(" fragment F20 on User { id }");
        assert_eq!(
            cost(&q, serde_json::json!({}), &l),
            Err(LimitError::Fields { limit: 1000 })
        );
    }

    #[test]
    fn aliases_and_complexity_refused() {
        let l = limits();
        let q: String = (0..11).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert_eq!(
            cost(&format!("{{ {q} }}"), serde_json::json!({}), &l),
            Err(LimitError::Aliases { limit: 10 })
        );
        let small = QueryLimits {
            complexity: 100,
            ..limits()
        };
        assert_eq!(
            cost(
                "{ recordings { nodes { id title } } }",
                serde_json::json!({}),
                &small
            ),
            Err(LimitError::Complexity {
                cost: 102,
                limit: 100
            })
        );
    }

    #[test]
    fn depth_refused() {
        let shallow = QueryLimits {
            depth: 3,
            ..limits()
        };
        assert!(
            cost(
                "{ recordings { nodes { id } } }",
                serde_json::json!({}),
                &shallow
            )
            .is_ok()
        );
        assert_eq!(
            cost(
                "{ recordings { nodes { ...S } } } fragment S on Recording { stems { nodes { id } } }",
                serde_json::json!({}),
                &shallow
            ),
            Err(LimitError::Depth { limit: 3 })
        );
    }

    #[test]
    fn introspection_counts_once() {
        let l = limits();
        let c = cost(
            "{ __schema { types { name fields { name args { name } } } } }",
            serde_json::json!({}),
            &l,
        )
        .expect("ok");
        assert_eq!(c.complexity, 7);
    }
}
