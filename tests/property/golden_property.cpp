// Golden file properties: write -> read round-trips exactly; any truncation or byte
// corruption is rejected with repro::Error (never a crash, never silently accepted).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/util/error.hpp"
#include "harness/verdict/golden_file.hpp"
#include "harness/verdict/golden_reader.hpp"
#include "harness/verdict/golden_writer.hpp"
#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

rc::Gen<GoldenFile> gen_golden() {
  return rc::gen::exec([] {
    Fingerprint fp;
    fp.libtorch_version = "1.13.0";
    fp.blas_build =
        *rc::gen::element<std::string>("openblas-pthread", "atlas", "blis", "reference");
    fp.blas_core = fp.blas_build == "openblas-pthread" ? "Haswell" : "";
    fp.cpu_capability = *rc::gen::element<std::string>("default", "avx2", "avx512");
    fp.device = "cpu";
    GoldenProvenance p;
    p.blessed_at = "2026-11-25T21:00:00Z";
    p.reason = *rc::gen::element<std::string>("initial bless", "libtorch upgrade", "");
    p.commit = *rc::gen::element<std::string>("", "9ab2714c0ffee9ab2714c0ffee9ab2714c0ffee0");
    p.source = "run";
    std::vector<GoldenCandidate> candidates;
    auto n_cells = *rc::gen::inRange(1, 4);
    for (int c = 0; c < n_cells; ++c) {
      auto salt = *rc::gen::arbitrary<std::uint64_t>();
      auto steps = *rc::gen::inRange(1, 4);
      Trace t = test::make_trace(steps, test::unet_tensors(), salt);
      t.header.config = {{"train", {{"learning_rate", 0.001}, {"steps", steps}}},
                         {"model", {{"variant", "vgg"}}}};
      GoldenCandidate cand;
      cand.key = "threads=" + std::to_string(c + 1);
      cand.class_fields = golden_class_fields(fp);
      cand.environment_class = golden_class_name(cand.class_fields);
      cand.cell = golden_cell_from_trace(t, fp);
      candidates.push_back(std::move(cand));
    }
    std::string suite = *rc::gen::element<std::string>("smoke", "pr", "nightly");
    return make_goldens(suite, candidates, p).front();
  });
}

RC_GTEST_PROP(GoldenProperty, WriteThenReadRoundTripsExactly, ()) {
  auto golden = *gen_golden();
  std::string text = serialize_golden(golden);
  GoldenFile back = parse_golden(text, "g.json");
  RC_ASSERT(back == golden);
  RC_ASSERT(serialize_golden(back) == text);
}

RC_GTEST_PROP(GoldenProperty, AnyTruncationIsRejected, ()) {
  std::string text = serialize_golden(*gen_golden());
  auto keep = *rc::gen::inRange<size_t>(0, text.size());
  try {
    parse_golden(text.substr(0, keep), "g.json");
    RC_FAIL("accepted a golden truncated to " + std::to_string(keep) + " bytes");
  } catch (const Error& e) {
    RC_ASSERT(e.file() == "g.json");
  }
}

RC_GTEST_PROP(GoldenProperty, AnyByteCorruptionIsRejected, ()) {
  std::string text = serialize_golden(*gen_golden());
  auto pos = *rc::gen::inRange<size_t>(0, text.size());
  auto replacement =
      *rc::gen::suchThat(rc::gen::arbitrary<char>(), [&](char c) { return c != text[pos]; });
  text[pos] = replacement;
  try {
    parse_golden(text, "g.json");
    RC_FAIL("accepted a golden with byte " + std::to_string(pos) + " changed");
  } catch (const Error& e) {
    RC_ASSERT(e.file() == "g.json");
  }
}

}  // namespace
}  // namespace repro
