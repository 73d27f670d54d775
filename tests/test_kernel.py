"""The extension in a real Jupyter kernel (a subprocess, over ZeroMQ), as a notebook uses it."""
import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture(scope="module")
def kernel():
    manager, client = start_new_kernel(kernel_name="python3")
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def execute(client, code):
    messages = []
    reply = client.execute_interactive(code, timeout=120, output_hook=messages.append)
    return reply["content"], messages


def outputs(messages, kind):
    return [m["content"] for m in messages if m["msg_type"] == kind]


def test_load_ext_then_eval_at_the_prompt(kernel):
    reply, _ = execute(kernel, "%load_ext session_magic\nimport session_magic as tf")
    assert reply["status"] == "ok"
    reply, messages = execute(kernel, "x = tf.constant(1); y = tf.constant(2); z = x + y\n"
                                      "int(z.eval())")
    assert reply["status"] == "ok"
    assert outputs(messages, "execute_result")[-1]["data"]["text/plain"] == "3"


def test_graph_magic_sends_an_svg_drawing(kernel):
    execute(kernel, "%load_ext session_magic\nimport session_magic as tf\n"
                    "a = tf.constant(2.0, name='a') * 3.0")
    reply, messages = execute(kernel, "%graph")
    assert reply["status"] == "ok"
    data = outputs(messages, "execute_result")[-1]["data"]
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    assert "text/plain" in data


def test_session_cell_displays_its_result_and_its_graph(kernel):
    execute(kernel, "%load_ext session_magic\nimport session_magic as tf")
    reply, messages = execute(kernel, "%%session\np = tf.placeholder(tf.float32, [None])\n"
                                      "sess.run(p * 2.0, {p: [1.0, 2.0]}).tolist()")
    assert reply["status"] == "ok"
    assert outputs(messages, "execute_result")[-1]["data"]["text/plain"] == "[2.0, 4.0]"
    assert any("image/svg+xml" in d["data"] for d in outputs(messages, "display_data"))


def test_runtime_error_names_the_cell_and_line(kernel):
    execute(kernel, "%load_ext session_magic\nimport session_magic as tf")
    execute(kernel, "u = tf.placeholder(tf.float32, [2], name='u')\nw = u + 1.0")
    reply, messages = execute(kernel, "w.eval()")
    assert reply["status"] == "error" and reply["ename"] == "InvalidArgumentError"
    shown = "\n".join(outputs(messages, "error")[-1]["traceback"])
    assert "defined at cell In[" in shown and "session_magic/" not in shown
