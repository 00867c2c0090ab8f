/** HyperMesh Bus adapters module; see DESIGN.md for what lands here. */
package io.hypermesh.adapters;
