// WasmScript: see DESIGN.md.
