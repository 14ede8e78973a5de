// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): small valid
// inputs made with the project's own writers, so the fuzzers start past the first checks.
// Usage: make_fuzz_seeds <repository root>; the suites are copied from suites/.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/plan/cell.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/verdict/golden_file.hpp"
#include "harness/verdict/golden_writer.hpp"
#include "models/data/image.hpp"
#include "models/data/jpeg_codec.hpp"
#include "models/data/png_codec.hpp"

namespace {

using repro::Image;

Image pattern(int width, int height, int channels) {
  Image image = Image::blank(width, height, channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        image.at(x, y, c) = static_cast<std::uint8_t>((x * 37 + y * 11 + c * 90) % 256);
      }
    }
  }
  return image;
}

repro::Fingerprint fingerprint() {
  repro::Fingerprint fp;
  fp.libtorch_version = "1.13.0";
  fp.blas_build = "openblas-pthread";
  fp.blas_version = "OpenBLAS 0.3.21";
  fp.cpu_capability = "avx2";
  fp.device = "cpu";
  fp.device_model = "cpu";
  return fp;
}

repro::Trace trace() {
  repro::Trace t;
  t.header.producer = "make_fuzz_seeds";
  t.header.config = {{"train", {{"steps", 2}}}};
  t.header.fingerprint = repro::to_json(fingerprint());
  for (int i = 0; i < 2; ++i) {
    repro::StepRecord s;
    s.step = i;
    s.loss_bits = i == 0 ? "3f800000" : "3f000000";
    s.loss_value = i == 0 ? 1.0 : 0.5;
    s.batch_ids = {"Abyssinian_1", "yorkshire_terrier_3"};
    s.tensors = {{"batch.images", repro::TensorKind::batch,
                  *repro::Digest::from_hex(std::string(32, 'a' + i))},
                 {"enc1.conv1.weight", repro::TensorKind::param,
                  *repro::Digest::from_hex(std::string(32, '1' + i))}};
    s.root = repro::compute_root(s);
    t.steps.push_back(s);
  }
  t.complete = true;
  t.end_status = "ok";
  return t;
}

std::string trace_text(const repro::Trace& t) {
  std::string text = repro::header_line(t.header);
  for (const auto& s : t.steps) {
    text += repro::step_line(s);
    text += repro::timing_line(s.step, 12.5);
  }
  text += repro::end_line(static_cast<int>(t.steps.size()), "ok");
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds REPOSITORY_ROOT\n";
    return 2;
  }
  const std::filesystem::path repo = argv[1];
  const auto corpus = repo / "tests" / "fuzz" / "corpus";
  for (const char* suite : {"smoke", "pr"}) {
    repro::write_file_atomic(corpus / "suite" / (std::string(suite) + ".json"),
                             repro::read_file(repo / "suites" / (std::string(suite) + ".json")));
  }
  repro::Trace t = trace();
  repro::write_file_atomic(corpus / "trace" / "two_steps.jsonl", trace_text(t));

  repro::CellRun run;
  run.cell.id = "threads=1";
  run.cell.settings = {{"threads", "1"}};
  run.cell.role = repro::CellRole::baseline;
  run.status = repro::RunStatus::ran;
  run.trace = t;
  repro::GoldenProvenance provenance;
  provenance.blessed_at = "2026-01-01T00:00:00Z";
  provenance.reason = "fuzz seed";
  provenance.source = "run";
  const std::vector<repro::GoldenFile> goldens =
      repro::make_goldens("smoke", repro::golden_candidates({run}, fingerprint()), provenance);
  repro::write_file_atomic(corpus / "golden" / "smoke.json",
                           repro::serialize_golden(goldens.at(0)));

  repro::TensorDump dump;
  dump.step = 1;
  repro::DumpedTensor w;
  w.name = "enc1.conv1.weight";
  w.dtype = "float32";
  w.shape = {2};
  w.bytes.resize(8);
  dump.tensors.push_back(w);
  const auto dump_dir = std::filesystem::temp_directory_path() / "repro-fuzz-seed-dump";
  repro::write_tensor_dump(dump_dir, dump);
  repro::write_file_atomic(corpus / "tensor_dump" / "one_tensor.json",
                           repro::read_file(dump_dir / "manifest.json"));
  std::filesystem::remove_all(dump_dir);

  repro::write_file_atomic(corpus / "jpeg" / "rgb_16x12.jpg",
                           repro::encode_jpeg(pattern(16, 12, 3), 90));
  repro::write_file_atomic(corpus / "jpeg" / "gray_9x7.jpg",
                           repro::encode_jpeg(pattern(9, 7, 1), 75));
  repro::write_file_atomic(corpus / "png" / "rgb_16x12.png", repro::encode_png(pattern(16, 12, 3)));
  repro::write_file_atomic(corpus / "png" / "labels_9x7.png", repro::encode_png(pattern(9, 7, 1)));
  std::cout << "seeds written to " << corpus.string() << "\n";
  return 0;
}
