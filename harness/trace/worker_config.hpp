// WorkerConfig: everything one worker run needs (the checker writes it, the worker reads it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace repro {

inline constexpr int k_worker_config_format_version = 1;

struct ModelConfig {
  std::string variant = "vgg";  // "vgg" (plain conv blocks) or "mobilenet" (inverted residual)
  int width = 8;                // channels of the first encoder level; doubles per level
  int depth = 3;                // encoder levels
  double dropout = 0.1;         // dropout in the bottleneck
  friend bool operator==(const ModelConfig&, const ModelConfig&) = default;
};

struct DataConfig {
  std::string source = "synthetic";  // "synthetic" or "oxford"
  std::string path;                  // oxford: dataset root (images/, annotations/trimaps/)
  int count = 48;                    // synthetic: number of pets; oxford: 0 = all
  int image_size = 32;               // square side after resizing
  std::uint64_t seed = 7;            // synthetic: the dataset's own seed (not the training seed)
  friend bool operator==(const DataConfig&, const DataConfig&) = default;
};

struct TrainConfig {
  int steps = 4;
  int batch_size = 4;
  double learning_rate = 1e-3;
  std::uint64_t seed = 1;  // torch generator, data order, flips, dropout
  bool augment_flip = true;
  std::string mode = "fast";  // "fast" (libtorch threading) or "strict" (fixed shards)
  int shards = 4;             // strict mode: fixed number of batch shards
  friend bool operator==(const TrainConfig&, const TrainConfig&) = default;
};

struct RunSettings {
  std::string device = "cpu";  // "cpu" or "gpu"
  int threads = 1;             // intra-op threads (strict mode: arena threads)
  int interop_threads = 1;
  bool deterministic = false;  // torch::globalContext().setDeterministicAlgorithms
  // Test only: a fault the worker plants on purpose ("none" = no fault). The worker
  // knows the names (models/planted_fault.hpp, docs/canaries.md) and rejects others.
  std::string fault = "none";
  friend bool operator==(const RunSettings&, const RunSettings&) = default;
};

struct EvalConfig {
  bool enabled = true;
  int max_samples = 0;  // 0 = the whole validation fold
  friend bool operator==(const EvalConfig&, const EvalConfig&) = default;
};

struct WorkerConfig {
  ModelConfig model;
  DataConfig data;
  TrainConfig train;
  RunSettings settings;
  EvalConfig eval;
  // The suite's own fields for an outside worker (`workload.extra`): any JSON object,
  // opaque to the checker and to repro-worker, passed through in the config and part of
  // the config hash. Empty = absent from the written config (hashes of suites without it
  // do not change).
  nlohmann::json extra = nlohmann::json::object();
  friend bool operator==(const WorkerConfig&, const WorkerConfig&) = default;
};

// Whether `value` is spelled like a planted-fault name: 1-64 characters of lowercase
// letters, digits and -_.:@ (no ',' or '=', which separate settings in a cell id).
bool is_fault_token(std::string_view value);

// JSON with "format_version" and sections model/data/train/settings/eval.
nlohmann::json to_json(const WorkerConfig& config);

// Parses and validates (ranges, enums, unknown keys). Absent fields take the defaults
// above. Throws repro::Error naming `source` and the field.
WorkerConfig worker_config_from_json(const nlohmann::json& j, const std::string& source);

// Reads and parses a config file.
WorkerConfig read_worker_config(const std::string& path);

}  // namespace repro
