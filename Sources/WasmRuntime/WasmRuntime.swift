// WasmRuntime: see DESIGN.md.
