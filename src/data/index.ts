// torch.utils.data: datasets and the DataLoader.
export { TensorDataset, type Dataset } from "./dataset.js";
export { DataLoader, collate, type DataLoaderOptions, type Collated, type BatchOf } from "./dataloader.js";
