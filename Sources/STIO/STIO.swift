// Model and data input/output: safetensors, NumPy arrays, skeleton files, video.
