/** HyperMesh Bus streams module; see DESIGN.md for what lands here. */
package io.hypermesh.streams;
