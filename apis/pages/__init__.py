"""Server-rendered pages, one module per audience, templates under `apis/templates/<audience>/`."""
