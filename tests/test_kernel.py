"""The extension in a real Jupyter kernel (a subprocess, over ZeroMQ), as a notebook uses it."""
import queue
import re
import time

import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture(scope="module")
def started():
    manager, client = start_new_kernel(kernel_name="python3")
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(started):
    return started[1]


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


def reply_to(client, msg_id):
    while True:
        reply = client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def shown_error(client, msg_id):
    """The traceback text of the error the kernel showed for request `msg_id`."""
    while True:
        try:
            message = client.get_iopub_msg(timeout=10)
        except queue.Empty:
            return None
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "error":
            return "\n".join(message["content"]["traceback"])


def test_a_kernel_interrupt_stops_a_run_commits_nothing_and_the_kernel_goes_on(started):
    manager, client = started
    reply, _ = execute(client, "%load_ext session_magic\nimport session_magic as tf\n"
                               "v = tf.Variable(0, name='v'); v.initializer.run()\n"
                               "n = tf.placeholder(tf.int32, [], name='n')\n"
                               "with tf.control_dependencies([v.assign_add(1)]):\n"
                               "    loop = tf.while_loop(lambda i: i < n, lambda i: i + 1, [0])")
    assert reply["status"] == "ok"
    # NOTE: stop_on_error=False, or the kernel aborts a request that arrives while it is still
    # clearing its queue after the interrupt (seen under load as an 'aborted' reply)
    msg_id = client.execute("print('started', flush=True)\nloop.eval({n: 10**9})",
                            stop_on_error=False)
    while True:  # NOTE: interrupt only once the cell runs, as a user pressing the button does
        message = client.get_iopub_msg(timeout=60)
        if message["msg_type"] == "stream" and "started" in message["content"]["text"]:
            break
    time.sleep(0.3)
    manager.interrupt_kernel()
    reply = reply_to(client, msg_id)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    # NOTE: the loop's op, or one of its condition's or body's, all made on the cell's line 6
    assert re.fullmatch(r"run interrupted in \w+ op '(while|cond/\w+|body/\w+)' \(defined at cell "
                        r"In\[\d+\], line 6\); no variable was changed", reply["evalue"])
    shown = shown_error(client, msg_id)
    assert "plan.py" not in shown and "functional.py" not in shown and "numpy" not in shown
    reply, messages = execute(client, "int(v.eval()), int(loop.eval({n: 5})), int(v.eval())")
    assert reply["status"] == "ok"
    assert outputs(messages, "execute_result")[-1]["data"]["text/plain"] == "(0, 5, 1)"
