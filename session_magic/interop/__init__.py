"""Interop with TensorFlow's files: event files, GraphDefs and frozen graphs, meta graphs and
checkpoints; loaded lazily, never by `import session_magic`."""
