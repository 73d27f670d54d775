"""The golden programs on which session_magic differs from TF on purpose, each mapped to the
section of docs/differences.md that says how and why.

A program listed here still runs under session_magic in the golden tests, and must fail only
with one of TF's error classes (never an internal error), but its record is not compared with
TF's. Keys are "topic/program name"; a key ending in "*" covers every program it prefixes.
tests/test_tf_golden.py checks that every key still names a program and every section exists.
"""
from __future__ import annotations

from typing import Optional

DIFFERENCES: dict[str, str] = {
    # dtypes
    "dtypes/scalar x+300/int8": "python-ints-out-of-range",
    "dtypes/scalar x+300/uint8": "python-ints-out-of-range",
    "dtypes/scalar x+(-1)/uint*": "python-ints-out-of-range",
    "dtypes/int8 + 1000": "python-ints-out-of-range",
    "dtypes/int32 + 2**31": "python-ints-out-of-range",
    "dtypes/constant 2**63": "python-ints-out-of-range",
    "dtypes/constant -1 uint8": "python-ints-out-of-range",
    "dtypes/constant 256 uint8": "python-ints-out-of-range",
    "dtypes/scalar x*2.5/bool": "python-values-to-bool",
    "dtypes/scalar x+np.float64/bool": "python-values-to-bool",
    "dtypes/scalar x+np.int64/bool": "python-values-to-bool",
    "dtypes/floordiv/complex*": "refused-while-building",
    "dtypes/truncatediv/complex*": "refused-while-building",
    "dtypes/scalar x//2/complex*": "refused-while-building",
    "dtypes/rint float16": "computed-where-tf-has-no-kernel",
    # op registry samples
    "samples/WhileGrad[]:gradient": "second-order-while",
    # NOTE: TF's fused batch norm and LRN kernels take float32 at most; the float64 gradient check
    "samples/FusedBatchNormV3[training, NHWC, y]:gradient": "computed-where-tf-has-no-kernel",
    "samples/FusedBatchNormV3[training, NCHW]:gradient": "computed-where-tf-has-no-kernel",
    "samples/FusedBatchNormV3[inference]:gradient": "computed-where-tf-has-no-kernel",
    "samples/LRN[]:gradient": "computed-where-tf-has-no-kernel",
    "samples/LRN[TF's defaults]:gradient": "computed-where-tf-has-no-kernel",
    "samples/TensorListGather[]:gradient": "tensor-arrays",
    # NOTE: TF's CPU kernels refuse NCHW, and float64 for dilated conv and 3-D pool gradients
    "samples/Conv2D[NCHW]:*": "convolution-and-pooling",
    "samples/MaxPool[max_pool2d NCHW]:*": "convolution-and-pooling",
    "samples/Conv2D[dilations 2]:gradient": "convolution-and-pooling",
    "samples/MaxPool3D[]:gradient": "convolution-and-pooling",
    "samples/AvgPool3D[]:gradient": "convolution-and-pooling",
    "samples/MaxPool3DGrad[]:gradient": "convolution-and-pooling",
    "samples/MaxPool3DGradGrad[]:gradient": "convolution-and-pooling",
    "samples/AvgPool3DGrad[]:gradient": "convolution-and-pooling",
    "samples/UnsortedSegmentSum[bincount with weights]:gradient": "everyday-array-ops",
    "array_more/top_k and sort with NaN": "everyday-array-ops",
    # the bad-input matrix of tests/test_bad_inputs.py
    "bad_inputs/inputs/cast/dtype-string-to-float": "refused-while-building",
    "bad_inputs/inputs/reshape/shape-two-unknowns": "refused-while-building",
    "bad_inputs/inputs/random_normal/negative-dimension": "refused-while-building",
    "bad_inputs/inputs/make_callable/too-many-values": "refused-while-building",
    "bad_inputs/inputs/make_callable/repeated-feed": "refused-while-building",
    "bad_inputs/inputs/make_callable/closed-session": "refused-while-building",
    "bad_inputs/inputs/Saver/negative-max-to-keep": "refused-while-building",
    "bad_inputs/inputs/Saver.save/nul-in-path": "refused-while-building",
    "bad_inputs/inputs/run/type-dict-run-metadata": "refused-while-building",
    "bad_inputs/inputs/cond/type-float-pred": "tf1-checks-kept",
    "bad_inputs/inputs/nn.sigmoid_xent/positional-arguments": "tf1-checks-kept",
    "bad_inputs/inputs/Variable/callable-without-dtype": "tf1-checks-kept",
    "bad_inputs/inputs/cond/structure-differs": "tf1-checks-kept",
    "bad_inputs/inputs/constant/int-too-big-for-int32": "python-ints-out-of-range",
    "bad_inputs/inputs/feed/numbers-for-a-string": "values-checked",
    "bad_inputs/inputs/feed/int-overflow-in-list": "values-checked",
    "bad_inputs/inputs/feed/nan-for-an-int": "values-checked",
    "bad_inputs/inputs/feed/nan-array-for-an-int": "values-checked",
    "bad_inputs/inputs/py_func/type-tensor-as-inp": "clear-errors-for-raw-errors",
    "bad_inputs/inputs/assign/not-a-variable": "clear-errors-for-raw-errors",
    "bad_inputs/inputs/Saver/type-variable-as-var-list": "clear-errors-for-raw-errors",
    "bad_inputs/inputs/run/type-string-options": "clear-errors-for-raw-errors",
    "bad_inputs/builders/reduce_sum/keepdims-empty-array": "clear-errors-for-raw-errors",
    "bad_inputs/builders/get_variable/glorot-for-an-int": "clear-errors-for-raw-errors",
    "bad_inputs/inputs/make_callable/unknown-feed-name": "error-classes",
    "bad_inputs/inputs/Saver.save/uninitialized-variable": "error-classes",
    "bad_inputs/inputs/runtime/zeros-huge": "error-classes",
    "bad_inputs/inputs/runtime/ones-huge": "error-classes",
    "bad_inputs/inputs/runtime/fed-view-too-big-to-fetch": "error-classes",
    "linalg/run: cholesky of a matrix that is not positive definite": "linalg",
}


def section_for(program_id: str) -> Optional[str]:
    """The docs/differences.md section a program's deliberate difference is described in."""
    if program_id in DIFFERENCES:
        return DIFFERENCES[program_id]
    for key, section in DIFFERENCES.items():
        if key.endswith("*") and program_id.startswith(key[:-1]):
            return section
    return None


def stale_keys(program_ids: set) -> list[str]:
    """Keys that name no program any more."""
    return sorted(k for k in DIFFERENCES
                  if not (k in program_ids or (k.endswith("*") and
                                               any(p.startswith(k[:-1]) for p in program_ids))))
