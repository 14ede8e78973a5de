// Dataset images: size limits checked from the header, before any pixel is decoded.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <string>

#include "harness/util/error.hpp"
#include "models/data/dataset_listing.hpp"
#include "models/data/image.hpp"
#include "models/data/image_limits.hpp"
#include "models/data/jpeg_codec.hpp"
#include "models/data/png_codec.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void put_u16(std::string& s, size_t at, std::uint32_t v) {
  s[at] = static_cast<char>((v >> 8) & 0xff);
  s[at + 1] = static_cast<char>(v & 0xff);
}

void put_u32(std::string& s, size_t at, std::uint32_t v) {
  put_u16(s, at, v >> 16);
  put_u16(s, at + 2, v & 0xffff);
}

std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xffffffffu;
  for (char ch : data) {
    crc ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) {
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

// A valid small JPEG whose frame header claims width x height.
std::string jpeg_claiming(std::uint32_t width, std::uint32_t height) {
  std::string jpeg = encode_jpeg(Image::blank(8, 8, 3), 90);
  size_t sof = jpeg.find("\xff\xc0");
  EXPECT_NE(sof, std::string::npos);
  put_u16(jpeg, sof + 5, height);
  put_u16(jpeg, sof + 7, width);
  return jpeg;
}

// A valid small PNG whose IHDR claims width x height (with a correct CRC).
std::string png_claiming(std::uint32_t width, std::uint32_t height) {
  std::string png = encode_png(Image::blank(8, 8, 1));
  put_u32(png, 16, width);
  put_u32(png, 20, height);
  put_u32(png, 29, crc32(std::string_view(png).substr(12, 17)));
  return png;
}

void expect_size_error(const std::function<void()>& decode, const std::string& source) {
  try {
    decode();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), source);
    EXPECT_NE(e.message().find("limit"), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a repro::Error: " << e.what();
  }
}

TEST(ImageLimits, HugeJpegIsRejectedFromItsHeader) {
  std::string jpeg = jpeg_claiming(65500, 65500);
  expect_size_error([&] { decode_jpeg(bytes_of(jpeg), "big.jpg"); }, "big.jpg");
}

TEST(ImageLimits, JpegOverThePixelLimitIsRejected) {
  std::string jpeg = jpeg_claiming(k_max_image_side, k_max_image_side);
  expect_size_error([&] { decode_jpeg(bytes_of(jpeg), "wide.jpg"); }, "wide.jpg");
}

TEST(ImageLimits, HugePngIsRejectedFromItsHeader) {
  std::string png = png_claiming(1000000, 1000000);
  expect_size_error([&] { decode_png(bytes_of(png), "big.png", PngContent::labels); }, "big.png");
  png = png_claiming(10000, 10000);
  expect_size_error([&] { decode_png(bytes_of(png), "many.png", PngContent::rgb); }, "many.png");
}

TEST(ImageLimits, ImagesWithinTheLimitsStillDecode) {
  EXPECT_EQ(image_size_problem(500, 375), "");
  EXPECT_EQ(decode_png(bytes_of(png_claiming(8, 8)), "ok.png", PngContent::labels).width, 8);
  EXPECT_EQ(decode_jpeg(bytes_of(jpeg_claiming(8, 8)), "ok.jpg").height, 8);
}

TEST(ImageLimits, FileNameThatIsNotUtf8IsAnErrorNamingTheFile) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "images");
  std::ofstream(dir / "images" / "Abyssinian_\xff.jpg") << "x";
  try {
    list_dataset(dir.path());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.file().find("Abyssinian_"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("UTF-8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace repro
