/** HyperMesh Bus connectors module; see DESIGN.md for what lands here. */
package io.hypermesh.connectors;
