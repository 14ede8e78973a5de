// Pet id generators.
#include "tests/support/generators.hpp"

#include <array>

namespace repro::test {

std::string encode_utf8(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

namespace {

rc::Gen<std::uint32_t> code_point() {
  return rc::gen::weightedOneOf<std::uint32_t>({
      {6, rc::gen::inRange<std::uint32_t>(0x20, 0x7f)},        // printable ASCII, space included
      {2, rc::gen::inRange<std::uint32_t>(0xa0, 0x800)},       // Latin, Greek, Cyrillic...
      {1, rc::gen::inRange<std::uint32_t>(0x4e00, 0x9fff)},    // CJK
      {1, rc::gen::inRange<std::uint32_t>(0x1f300, 0x1f64f)},  // emoji (4 bytes)
  });
}

}  // namespace

rc::Gen<std::string> arbitrary_pet_id() {
  auto id = rc::gen::map(
      rc::gen::nonEmpty(rc::gen::container<std::vector<std::uint32_t>>(
          rc::gen::suchThat(code_point(), [](std::uint32_t cp) { return cp != '/'; }))),
      [](const std::vector<std::uint32_t>& cps) {
        std::string s;
        for (auto cp : cps) {
          s += encode_utf8(cp);
        }
        return s;
      });
  // Sometimes very long: a 4 KB id is still just bytes to md5.
  auto long_id = rc::gen::map(id, [](const std::string& s) {
    std::string out;
    while (out.size() < 4096) {
      out += s;
    }
    return out;
  });
  return rc::gen::weightedOneOf<std::string>({{9, id}, {1, long_id}});
}

rc::Gen<std::string> oxford_pet_id() {
  static const std::array<const char*, 12> k_breeds = {
      "Abyssinian", "Bengal", "Bombay", "Maine_Coon", "Siamese",   "Sphynx",
      "beagle",     "boxer",  "pug",    "samoyed",    "shiba_inu", "yorkshire_terrier"};
  return rc::gen::apply(
      [](int breed, int n) { return std::string(k_breeds[breed]) + "_" + std::to_string(n); },
      rc::gen::inRange(0, static_cast<int>(k_breeds.size())), rc::gen::inRange(1, 100000));
}

}  // namespace repro::test
