// Saving and loading: safetensors, checkpoints in PyTorch's layout, file helpers.
export { saveSafetensors, loadSafetensors, type SafetensorsDtype } from "./safetensors.js";
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type CheckpointParts } from "./checkpoint.js";
export { saveFile, loadFile } from "./files.js";
