"""One module per resource; each exports `routes`, a list of Starlette routes (data)."""
