#!/usr/bin/env bash
# Regenerates the bad-input corpus Tests/Fixtures/bad-inputs/ and its manifest expected.tsv
# (file, parser, expected error substring), which Tests/STIOTests/BadInputCorpusTests.swift checks:
# every file must make its parser throw STError.badInput naming the file and the problem.
#
# Each case starts from a small valid file written here (ONNX protobuf, safetensors, .npy, .npz,
# NTU .skeleton, or a video made by ffmpeg) and damages it: truncation, wrong magic, a header
# that lies about sizes, NaN weights, a wrong joint count, non-numeric values, Fortran order,
# an object dtype, an unknown ONNX op, an opset out of range, empty files, …
# The expected substrings are the messages the readers give (run the test to see the full text).
#
# Usage:
#   scripts/make-bad-inputs.sh                 rewrite the corpus and the manifest
#   scripts/make-bad-inputs.sh --seeds DIR     write only the undamaged originals, into DIR/<kind>/
#                                              (onnx, safetensors, npy, skeleton), leaving the corpus
#                                              alone: scripts/fuzz.sh seeds libFuzzer with them
#
# Needs bash, python3 (standard library only) and, for the video cases, ffmpeg.
set -euo pipefail

cd "$(dirname "$0")/.."
corpus=Tests/Fixtures/bad-inputs
seeds=""
if [[ "${1:-}" == "--seeds" ]]; then
    seeds="${2:?--seeds needs a directory}"
else
    rm -rf "$corpus"
    mkdir -p "$corpus"
fi

python3 - "$corpus" "$seeds" <<'PYTHON'
import io, math, os, struct, sys, zipfile

corpus, seeds = sys.argv[1], sys.argv[2]
manifest = []

def bad(name, parser, expected, data):
    """One corpus file, the parser that must reject it and a substring of the error it gives."""
    assert "\t" not in expected and "\n" not in expected
    if seeds:
        return
    with open(os.path.join(corpus, name), "wb") as f:
        f.write(data)
    manifest.append((name, parser, expected))

def seed(kind, name, data):
    """An undamaged file, written only with --seeds."""
    if seeds:
        os.makedirs(os.path.join(seeds, kind), exist_ok=True)
        with open(os.path.join(seeds, kind, name), "wb") as f:
            f.write(data)

# ---------------------------------------------------------------- .npy (numpy.lib.format 1.0)

def npy(descr="'<f4'", fortran="False", shape=(2, 3), data=None, header=None, version=b"\x01\x00"):
    if header is None:
        header = "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape_text(shape))
    header = header.encode("latin1")
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    if data is None:
        data = struct.pack("<%df" % math.prod(shape), *range(math.prod(shape)))
    return b"\x93NUMPY" + version + struct.pack("<H", len(header)) + header + data

def shape_text(shape):
    return "(%d,)" % shape if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"

valid_npy = npy()
seed("npy", "float32-2x3.npy", valid_npy)
seed("npy", "float64-4.npy", npy(descr="'<f8'", shape=(4,), data=struct.pack("<4d", 1, -2, 3.5, 1e300)))
bad("npy-empty.npy", "npy", "not an .npy file", b"")
bad("npy-wrong-magic.npy", "npy", "not an .npy file", b"PK\x03\x04" + valid_npy[4:])
bad("npy-text.npy", "npy", "not an .npy file", b"1.0 2.0 3.0\n4.0 5.0 6.0\n")
bad("npy-version-9.npy", "npy", "unsupported .npy format version 9.0", npy(version=b"\x09\x00"))
bad("npy-truncated-header.npy", "npy", "truncated header: it should be 118 bytes, but only 30 follow", valid_npy[:40])
bad("npy-truncated-data.npy", "npy", "expected 24 bytes of data, found 10", valid_npy[:-14])
bad("npy-header-lies-shape.npy", "npy", "expected 4000 bytes of data, found 24",
    npy(shape=(1000,), data=valid_npy[-24:]))
bad("npy-fortran-order.npy", "npy", "Fortran-ordered arrays are not supported", npy(fortran="True"))
bad("npy-object-dtype.npy", "npy", "object arrays are not supported", npy(descr="'|O'", data=b"\x80\x02N." * 6))
bad("npy-structured-dtype.npy", "npy", "structured arrays",
    npy(descr="[('x', '<f4'), ('y', '<f4')]", shape=(3,), data=bytes(24)))
bad("npy-complex-dtype.npy", "npy", "unsupported dtype '<c8'", npy(descr="'<c8'", data=bytes(48)))
bad("npy-negative-shape.npy", "npy", "shape entry -3 is negative", npy(shape=(2, -3), data=b""))
bad("npy-shape-overflow.npy", "npy", "shape [1099511627776, 1099511627776] is too large",
    npy(shape=(2**40, 2**40), data=b""))
bad("npy-missing-key.npy", "npy", "missing key 'shape'",
    npy(header="{'descr': '<f4', 'fortran_order': False, }"))
bad("npy-header-not-dict.npy", "npy", "malformed header: it is not a Python dict", npy(header="['<f4', False, (2, 3)]"))

# ---------------------------------------------------------------- .npz (np.savez: stored zip)

def npz(entries, method=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()

valid_npz = npz([("a.npy", valid_npy), ("b.npy", npy(shape=(3,)))])
seed("npy", "two-arrays.npz", valid_npz)
bad("npz-compressed.npz", "npz", "entry 'a.npy' is compressed (deflate)",
    npz([("a.npy", valid_npy)], zipfile.ZIP_DEFLATED))
corrupt = bytearray(valid_npz)
corrupt[valid_npz.index(b"a.npy") + 5 + 128] ^= 0xFF  # a data byte of a.npy, after its 128-byte header
bad("npz-bad-crc.npz", "npz", "entry 'a.npy' fails its CRC-32 check", bytes(corrupt))
bad("npz-truncated.npz", "npz", "not a zip archive", valid_npz[: len(valid_npz) // 2])
bad("npz-not-npy-entry.npz", "npz", "entry 'readme.txt' is not an .npy array", npz([("readme.txt", b"hello\n")]))
bad("npz-entry-fortran.npz", "npz", "entry 'a.npy': Fortran-ordered", npz([("a.npy", npy(fortran="True"))]))

# ---------------------------------------------------------------- safetensors

def safetensors(header, buffer):
    header = header.encode()
    return struct.pack("<Q", len(header)) + header + buffer

def f32(*values):
    return struct.pack("<%df" % len(values), *values)

valid_st = safetensors('{"__metadata__":{"format":"pt"},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                       '"fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}', f32(0.5, -0.5, 1, 2, 3, 4))
seed("safetensors", "fc.safetensors", valid_st)
seed("safetensors", "mixed.safetensors",
     safetensors('{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},'
                 '"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},'
                 '"m":{"dtype":"BOOL","shape":[2],"data_offsets":[12,14]}}',
                 struct.pack("<q", 7) + struct.pack("<2e", 1.5, -2) + b"\x00\x01"))
bad("safetensors-empty.safetensors", "safetensors", "file is 0 bytes, too short", b"")
bad("safetensors-header-length-lies.safetensors", "safetensors",
    "header length 1000000 exceeds the 179 bytes after the length field",
    struct.pack("<Q", 1_000_000) + valid_st[8:])
bad("safetensors-header-not-json.safetensors", "safetensors",
    "header is not valid JSON",
    safetensors('{"fc.bias": {dtype: F32}}', f32(0.5, -0.5)))
bad("safetensors-nan-weight.safetensors", "safetensors", "tensor 'w' holds nan at element 1; weights must be finite",
    safetensors('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}', f32(1, math.nan, 3)))
bad("safetensors-inf-f16.safetensors", "safetensors", "tensor 'h' holds inf at element 0",
    safetensors('{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}', struct.pack("<H", 0x7C00)))
bad("safetensors-span-disagrees.safetensors", "safetensors", "span 8 bytes, but F32 with shape [3] needs 12",
    safetensors('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', f32(1, 2)))
bad("safetensors-truncated.safetensors", "safetensors",
    "tensor 'fc.weight' data_offsets [8, 24] reach beyond the 18-byte data buffer", valid_st[:-6])
bad("safetensors-overlap.safetensors", "safetensors", "tensors 'a' and 'b' overlap in bytes 4..<8",
    safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', f32(1, 2, 3)))
bad("safetensors-gap.safetensors", "safetensors", "bytes 0..<4 of the data buffer belong to no tensor",
    safetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2)))
bad("safetensors-unknown-dtype.safetensors", "safetensors", "unknown or unsupported dtype 'C64'",
    safetensors('{"z":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}', f32(1, 2)))
bad("safetensors-bool-byte.safetensors", "safetensors", "BOOL tensor 'm' holds byte 2 at element 1",
    safetensors('{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', b"\x01\x02"))
bad("safetensors-duplicate-name.safetensors", "safetensors", "tensor name 'w' appears twice",
    safetensors('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                '"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2)))

# ---------------------------------------------------------------- NTU RGB+D .skeleton text

def body_lines(body_id, frame, joints=25):
    lines = ["%d 0 1 1 1 1 0 0.01 -0.02 2" % body_id, str(joints)]
    for joint in range(joints):
        x, y, z = 0.1 * joint, 0.05 * joint + 0.01 * frame, 3.0 + 0.001 * frame
        lines.append("%.5f %.5f %.5f 250.1 200.2 960.3 540.4 0.5 0.1 0.2 0.3 2" % (x, y, z))
    return lines

def skeleton(frames=2, bodies=1):
    lines = [str(frames)]
    for frame in range(frames):
        lines.append(str(bodies))
        for body in range(bodies):
            lines += body_lines(72057594037931101 + body, frame)
    return lines

def text(lines):
    return ("\r\n".join(lines) + "\r\n").encode()

valid_skeleton = skeleton()
seed("skeleton", "two-frames.skeleton", text(valid_skeleton))
seed("skeleton", "two-bodies.skeleton", text(skeleton(frames=1, bodies=2)))
bad("ntu-empty.skeleton", "ntu-skeleton", "empty file", b"")
bad("ntu-blank-lines.skeleton", "ntu-skeleton", "empty file", b"\r\n\r\n  \r\n")
wrong_joints = valid_skeleton[:3] + ["24"] + valid_skeleton[4:28] + valid_skeleton[29:]
bad("ntu-wrong-joint-count.skeleton", "ntu-skeleton", "line 4: expected 25 joints, got 24", text(wrong_joints))
non_numeric = list(valid_skeleton)
non_numeric[10] = non_numeric[10].replace("250.1", "abc")
bad("ntu-non-numeric.skeleton", "ntu-skeleton", "line 11: 'abc' is not a number", text(non_numeric))
nan_coordinate = list(valid_skeleton)
nan_coordinate[6] = "nan" + nan_coordinate[6][nan_coordinate[6].index(" "):]
bad("ntu-nan-coordinate.skeleton", "ntu-skeleton", "line 7: coordinate 'nan' is not finite", text(nan_coordinate))
bad("ntu-truncated.skeleton", "ntu-skeleton", "line 45: file ends inside frame 2 of 2", text(valid_skeleton[:44]))
bad("ntu-frame-count-too-large.skeleton", "ntu-skeleton", "line 58: file ends before frame 3 of 3",
    text(["3"] + valid_skeleton[1:]))
bad("ntu-frame-count-too-small.skeleton", "ntu-skeleton", "line 30: unexpected content after the last frame",
    text(["1"] + valid_skeleton[1:]))
bad("ntu-too-many-bodies.skeleton", "ntu-skeleton", "line 2: body count 7 of frame 1 exceeds 6",
    text(["1", "7"] + valid_skeleton[2:29]))
short_body = list(valid_skeleton)
short_body[2] = "72057594037931101 0 1 1"
bad("ntu-short-body-line.skeleton", "ntu-skeleton", "line 3: expected 10 values for body 1 of frame 1, got 4",
    text(short_body))
bad("ntu-binary.skeleton", "ntu-skeleton", "line 1: expected one value, the frame count, got 8", valid_npy)

# ---------------------------------------------------------------- skeleton arrays (.npy), 25 joints

def float_array(shape):
    return npy(shape=shape, data=bytes(4 * math.prod(shape)))

seed("npy", "skeleton-tvc.npy", float_array((2, 25, 3)))
# Empty but with 10¹⁵ frames: SkeletonArray once walked them all (Tests/STIOTests/ParserFuzzRegressionTests.swift).
seed("npy", "skeleton-tvc-empty.npy", npy(shape=(10**15, 25, 0), data=b""))
bad("skeleton-array-18-joints.npy", "skeleton-array", "expected 25 joints, got 18", float_array((4, 18, 3)))
bad("skeleton-array-rank-2.npy", "skeleton-array",
    "expected a (T, V, C), (C, T, V, M) or (N, C, T, V, M) skeleton array, got shape [4, 75]",
    float_array((4, 75)))
bad("skeleton-array-fortran.npy", "skeleton-array", "Fortran-ordered arrays are not supported",
    npy(fortran="True", shape=(4, 25, 3), data=bytes(1200)))

# ---------------------------------------------------------------- ONNX (protobuf written by hand)

def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)

def field(number, value):
    """A protobuf field: int → varint (wire type 0), bytes/str/list of parts → length-delimited."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, list):
        value = b"".join(value)
    return varint(number << 3 | 2) + varint(len(value)) + value

FLOAT, INT64 = 1, 7

def tensor(name, dims, values=None, raw=None, external=None):
    parts = [field(1, d) for d in dims] + [field(2, FLOAT), field(8, name)]
    if values is not None:
        parts.append(field(4, struct.pack("<%df" % len(values), *values)))
    if raw is not None:
        parts.append(field(9, raw))
    if external is not None:
        parts += [field(13, [field(1, key), field(2, value)]) for key, value in external] + [field(14, 1)]
    return parts

def value_info(name, shape):
    dims = [field(1, [field(1, size)]) for size in shape]
    return [field(1, name), field(2, [field(1, [field(1, FLOAT), field(2, dims)])])]

def node(op, inputs, outputs, name, domain=None):
    parts = [field(1, i) for i in inputs] + [field(2, o) for o in outputs] + [field(3, name), field(4, op)]
    return parts + ([field(7, domain)] if domain is not None else [])

def model(nodes, initializers, inputs=(("x", [1, 4]),), outputs=("y",), opsets=(("", 17),)):
    graph = ([field(1, n) for n in nodes] + [field(2, "g")] + [field(5, t) for t in initializers]
             + [field(11, value_info(name, shape)) for name, shape in inputs]
             + [field(12, [field(1, name)]) for name in outputs])
    opset_entries = [field(8, ([field(1, domain)] if domain else []) + [field(2, version)])
                     for domain, version in opsets]
    return field(1, 8) + field(2, "make-bad-inputs") + field(7, graph) + b"".join(opset_entries)

# y = relu(x·wᵀ + b): Gemm with the attribute transB = 1 (AttributeProto name, i, type INT = 2), then Relu.
gemm = node("Gemm", ["x", "w", "b"], ["h"], "/fc/Gemm") + [field(5, [field(1, "transB"), field(3, 1), field(20, 2)])]
relu = node("Relu", ["h"], ["y"], "/relu/Relu")
weights = [tensor("w", [3, 4], [0.1 * i for i in range(12)]), tensor("b", [3], [0.0, 0.5, -0.5])]
valid_onnx = model([gemm, relu], weights)
seed("onnx", "gemm-relu.onnx", valid_onnx)
bad("onnx-empty.onnx", "onnx", "not an ONNX model: it holds no graph nodes", b"")
bad("onnx-text.onnx", "onnx", "the protobuf is truncated or corrupt", b"graph {\n  node { op_type: \"Relu\" }\n}\n")
bad("onnx-truncated.onnx", "onnx", "the protobuf is truncated or corrupt (truncated)",
    valid_onnx[: len(valid_onnx) - 40])
bad("onnx-npy-renamed.onnx", "onnx", "the protobuf is truncated or corrupt", valid_npy)
bad("onnx-opset-9.onnx", "onnx", "opset 9 is outside the supported 11–21",
    model([gemm, relu], weights, opsets=(("", 9),)))
bad("onnx-opset-22.onnx", "onnx", "opset 22 is outside the supported 11–21",
    model([gemm, relu], weights, opsets=(("", 22),)))
bad("onnx-no-default-opset.onnx", "onnx", "declares no opset for the default ONNX domain",
    model([gemm, relu], weights, opsets=(("com.microsoft", 1),)))
bad("onnx-unknown-op.onnx", "onnx", "unsupported operators: FancyActivation (node /act/FancyActivation)",
    model([gemm, node("FancyActivation", ["h"], ["y"], "/act/FancyActivation")], weights))
bad("onnx-nan-initializer.onnx", "onnx", "initializer 'b' holds NaN values",
    model([gemm, relu], [weights[0], tensor("b", [3], [0.0, math.nan, 1.0])]))
bad("onnx-size-lies.onnx", "onnx", "initializer 'b' has 8 bytes of data for 3 elements of 4 bytes",
    model([gemm, relu], [weights[0], tensor("b", [3], raw=f32(1, 2))]))
bad("onnx-missing-external-data.onnx", "onnx", "external-data file 'weights.bin', which is missing",
    model([gemm, relu], [weights[0], tensor("b", [3], external=[("location", "weights.bin")])]))
bad("onnx-without-weights.onnx", "onnx", "node '/fc/Gemm' (Gemm): reads 'w', which no earlier node",
    model([gemm, relu], []))

if seeds:
    sys.exit(0)
with open(os.path.join(corpus, "expected.tsv"), "w") as f:
    f.write("# file\tparser\texpected error substring (written by scripts/make-bad-inputs.sh)\n")
    for row in manifest:
        f.write("\t".join(row) + "\n")
PYTHON

[[ -z "$seeds" ]] || exit 0

# ---------------------------------------------------------------- video (ffmpeg)
# A 32×24, 10 fps, 1 s MPEG-4 clip (about 1.6 KB) whose index (moov) follows the frames (mdat),
# cut twice: inside the frames (no index at all: ffprobe's "moov atom not found", which the reader
# explains) and in half, inside the index (ffprobe then succeeds but lists no stream at all). A
# text file called .mp4 gets the MP4 demuxer's complaint, "moov atom not found", too.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
ff() { ffmpeg -v error -y -nostdin "$@"; }
ff -f lavfi -i testsrc=size=32x24:rate=10 -t 1 -c:v mpeg4 -q:v 10 "$scratch/clip.mp4"
clip_bytes=$(stat -c %s "$scratch/clip.mp4")
head -c $(( clip_bytes / 4 )) "$scratch/clip.mp4" > "$corpus/video-truncated-in-frames.mp4"
head -c $(( clip_bytes / 2 )) "$scratch/clip.mp4" > "$corpus/video-truncated-in-index.mp4"
printf 'This is a text file, not a video.\n' > "$corpus/video-text.mp4"
: > "$corpus/video-empty.mp4"
ff -f lavfi -i sine=frequency=440:sample_rate=8000 -t 0.1 -c:a pcm_u8 "$corpus/video-audio-only.wav"
cat >> "$corpus/expected.tsv" <<'TSV'
video-truncated-in-frames.mp4	video-probe	not a playable MP4: its index (moov atom) is missing — the file is truncated, still being written, or not an MP4
video-truncated-in-frames.mp4	video-read	not a playable MP4: its index (moov atom) is missing — the file is truncated, still being written, or not an MP4
video-truncated-in-index.mp4	video-probe	no streams at all: the file is damaged or truncated
video-text.mp4	video-probe	not a playable MP4: its index (moov atom) is missing — the file is truncated, still being written, or not an MP4
video-empty.mp4	video-read	not a playable MP4: its index (moov atom) is missing — the file is truncated, still being written, or not an MP4
video-audio-only.wav	video-probe	no video stream (only audio or other streams)
video-audio-only.wav	video-read	no video stream (only audio or other streams)
TSV

echo "wrote $(grep -vc "^#" "$corpus/expected.tsv") cases, $(cat "$corpus"/* | wc -c) bytes in all, to $corpus"
