"""TF's protocol buffers without protobuf: a small wire-format codec (wire.py) and the messages
TensorBoard event files, GraphDefs and checkpoints are made of (messages.py). Loaded only when
a summary, GraphDef or checkpoint is asked for; `import session_magic` never imports it."""
from .messages import *  # noqa: F401,F403
from .wire import DecodeError, Message, parse_text, text_format  # noqa: F401
