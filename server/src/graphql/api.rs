//! The schema behind its operation limits: every request, over HTTP or a WebSocket, is
//! parsed and checked against [`QueryLimits`] before the schema runs it, and the schema
//! reuses the parsed document. (This was an async-graphql extension on parsing. Any
//! extension, even one that only looks at parsing, also wraps every field the schema
//! resolves in a boxed future of its own: 15 % of a library page's time.)

use std::sync::Arc;

use async_graphql::dynamic::{Schema, SchemaError};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures::stream::{self, BoxStream, StreamExt};

use super::limits::{QueryLimits, TypeIndex, check_document};

#[derive(Clone)]
pub struct Api {
    schema: Schema,
    limits: Arc<QueryLimits>,
    index: Arc<TypeIndex>,
}

impl Api {
    pub fn new(schema: Schema, limits: QueryLimits) -> Result<Api, SchemaError> {
        let index = TypeIndex::from_sdl(&schema.sdl())
            .map_err(|e| SchemaError(format!("reading the schema's own SDL: {e}")))?;
        Ok(Api {
            schema,
            limits: Arc::new(limits),
            index: Arc::new(index),
        })
    }

    /// The schema in SDL.
    pub fn sdl(&self) -> String {
        self.schema.sdl()
    }

    /// Parses the request (the document is kept in it for the schema) and refuses it
    /// over a limit.
    fn check(&self, request: &mut Request) -> Result<(), ServerError> {
        let doc = async_graphql::parser::parse_query(&request.query)?;
        if let Err(e) = check_document(&doc, &request.variables, &self.index, &self.limits) {
            tracing::info!(target: "stemset::graphql", refused = %e, "query refused");
            return Err(ServerError::new(e.to_string(), None));
        }
        request.set_parsed_query(doc);
        Ok(())
    }
}

impl Executor for Api {
    async fn execute(&self, mut request: Request) -> Response {
        match self.check(&mut request) {
            Ok(()) => self.schema.execute(request).await,
            Err(e) => Response::from_errors(vec![e]),
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.check(&mut request) {
            Ok(()) => Executor::execute_stream(&self.schema, request, session_data),
            Err(e) => stream::once(async move { Response::from_errors(vec![e]) }).boxed(),
        }
    }
}
