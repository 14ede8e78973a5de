// JPEG and PNG codecs and integer resampling.
#include <gtest/gtest.h>

#include <string>

#include "harness/util/error.hpp"
#include "models/data/image.hpp"
#include "models/data/jpeg_codec.hpp"
#include "models/data/png_codec.hpp"
#include "models/data/synthetic_pets.hpp"

namespace repro {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Image gradient(int width, int height, int channels) {
  Image image = Image::blank(width, height, channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        image.at(x, y, c) = static_cast<std::uint8_t>((x * 7 + y * 3 + c * 50) % 256);
      }
    }
  }
  return image;
}

TEST(PngCodec, RoundTripsGrayAndRgbExactly) {
  const Image gray = gradient(/*width=*/13, /*height=*/7, /*channels=*/1);
  EXPECT_EQ(decode_png(bytes_of(encode_png(gray)), "gray.png", PngContent::labels), gray);
  const Image rgb = gradient(/*width=*/9, /*height=*/11, /*channels=*/3);
  EXPECT_EQ(decode_png(bytes_of(encode_png(rgb)), "rgb.png", PngContent::rgb), rgb);
}

TEST(PngCodec, GrayDecodesAsRgbPicture) {
  const Image gray = gradient(/*width=*/4, /*height=*/3, /*channels=*/1);
  const Image rgb = decode_png(bytes_of(encode_png(gray)), "gray.png", PngContent::rgb);
  ASSERT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.at(2, 1, 0), gray.at(2, 1, 0));
  EXPECT_EQ(rgb.at(2, 1, 2), gray.at(2, 1, 0));
}

TEST(PngCodec, RejectsRgbAsLabelMap) {
  const std::string rgb = encode_png(gradient(/*width=*/4, /*height=*/4, /*channels=*/3));
  EXPECT_THROW(decode_png(bytes_of(rgb), "rgb.png", PngContent::labels), Error);
}

TEST(PngCodec, TruncatedStreamIsAnErrorNamingTheSource) {
  const std::string png = encode_png(gradient(/*width=*/32, /*height=*/32, /*channels=*/1));
  const std::string cut = png.substr(0, png.size() / 2);
  try {
    decode_png(bytes_of(cut), "cut.png", PngContent::labels);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "cut.png");
    EXPECT_NE(e.message().find("corrupt PNG"), std::string::npos) << e.what();
  }
}

TEST(JpegCodec, RoundTripIsCloseAtHighQuality) {
  const Image rgb = generate_synthetic_pets(/*count=*/1, /*image_size=*/32, /*seed=*/5)[0].image;
  const Image back = decode_jpeg(bytes_of(encode_jpeg(rgb, /*quality=*/95)), "pet.jpg");
  ASSERT_EQ(back.width, 32);
  ASSERT_EQ(back.channels, 3);
  double error = 0;
  for (size_t i = 0; i < rgb.pixels.size(); ++i) {
    error += std::abs(int{rgb.pixels[i]} - int{back.pixels[i]});
  }
  EXPECT_LT(error / static_cast<double>(rgb.pixels.size()), 12.0);
}

TEST(JpegCodec, DecodingIsDeterministic) {
  const std::string jpeg = encode_jpeg(gradient(/*width=*/40, /*height=*/24, /*channels=*/3), 90);
  EXPECT_EQ(decode_jpeg(bytes_of(jpeg), "a.jpg"), decode_jpeg(bytes_of(jpeg), "a.jpg"));
}

TEST(JpegCodec, TruncatedOrGarbageIsAnErrorNotGrayPixels) {
  const std::string jpeg = encode_jpeg(gradient(/*width=*/64, /*height=*/64, /*channels=*/3), 90);
  EXPECT_THROW(decode_jpeg(bytes_of(jpeg.substr(0, jpeg.size() / 2)), "half.jpg"), Error);
  EXPECT_THROW(decode_jpeg(bytes_of("definitely not a jpeg"), "text.jpg"), Error);
  EXPECT_THROW(decode_jpeg(bytes_of(""), "empty.jpg"), Error);
}

TEST(ImageResize, AreaAverageOfTwoByTwoBlocks) {
  Image image = Image::blank(/*width=*/4, /*height=*/2, /*channels=*/1);
  image.pixels = {0, 10, 100, 200, 20, 30, 50, 51};
  const Image half = resize_area(image, /*width=*/2, /*height=*/1);
  EXPECT_EQ(half.pixels, (std::vector<std::uint8_t>{15, 100}));  // 60/4, 401/4 rounded
  EXPECT_EQ(resize_area(image, 4, 2), image);
}

TEST(ImageResize, NearestNeverInventsLabels) {
  Image labels = Image::blank(/*width=*/5, /*height=*/3, /*channels=*/1);
  for (size_t i = 0; i < labels.pixels.size(); ++i) {
    labels.pixels[i] = static_cast<std::uint8_t>(1 + i % 3);
  }
  for (int side : {2, 7, 16}) {
    const Image out = resize_nearest(labels, side, side);
    for (auto v : out.pixels) {
      EXPECT_TRUE(v >= 1 && v <= 3);
    }
  }
  const Image up = resize_nearest(labels, /*width=*/10, /*height=*/6);
  EXPECT_EQ(up.at(0, 0, 0), labels.at(0, 0, 0));
  EXPECT_EQ(up.at(9, 5, 0), labels.at(4, 2, 0));
}

}  // namespace
}  // namespace repro
