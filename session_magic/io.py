"""`tf.io`: the file names of TF1's io namespace that exist here (`tf.io.gfile`,
`tf.io.write_graph`); its readers and parsers are not here yet and say so."""
from . import gfile  # noqa: F401
from .train import write_graph  # noqa: F401

__all__ = ["gfile", "write_graph"]
