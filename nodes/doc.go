// Package nodes is weft's node SDK and the domain every other package speaks:
// workflow definitions in n8n's export shape, items, run data, the Node
// interface with its registry, the execution context a node runs in, and one
// file per node type.
//
// Nothing here knows about Temporal, HTTP or SQL. The interpreter in package
// temporal decides which node runs next (with the Scheduler defined here) and
// runs each node through an activity that calls Node.Execute.
package nodes
