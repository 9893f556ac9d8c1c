"""What a developer runs on their own machine against a Hookline server: `hookline listen`
forwards its events to a local receiver, `hookline trigger` causes one. Both are clients of the
public API only (GraphQL over HTTP and graphql-transport-ws), never of the database."""
