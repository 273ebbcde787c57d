// WasmText: see DESIGN.md.
