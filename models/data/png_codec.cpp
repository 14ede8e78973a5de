// libpng glue: error callbacks that longjmp instead of abort(), memory reader and writer.
#include "models/data/png_codec.hpp"

#include <png.h>

#include <cassert>
#include <cstdio>
#include <cstring>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "models/data/image_limits.hpp"

namespace repro {
namespace {

// Shared by reading and writing. Everything the setjmp functions touch after the jump
// point lives here, behind a pointer, and is trivially destructible or owned by the
// caller, so a longjmp skips no destructor.
struct PngState {
  png_structp png = nullptr;
  png_infop info = nullptr;
  const std::uint8_t* data = nullptr;  // reading: the input bytes
  size_t size = 0;
  size_t offset = 0;
  std::string* output = nullptr;  // writing: where the encoded bytes go
  char message[256] = {};
};

extern "C" void on_png_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof state->message, "%s", message);
  png_longjmp(png, 1);
}

extern "C" void on_png_warning(png_structp /*png*/, png_const_charp /*message*/) {
  // Warnings (an unknown ancillary chunk, a bad ancillary CRC) do not change pixels.
}

extern "C" void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  if (state->size - state->offset < length) {
    png_error(png, "unexpected end of file (truncated PNG)");
  }
  std::memcpy(out, state->data + state->offset, length);
  state->offset += length;
}

extern "C" void write_to_memory(png_structp png, png_bytep in, png_size_t length) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  state->output->append(reinterpret_cast<const char*>(in), length);
}

extern "C" void flush_memory(png_structp /*png*/) {}

// Writes why a width x height image is refused into `message`; false when it is within the
// limits. The text never outlives this call, so no longjmp can skip its destructor.
bool size_problem(std::uint64_t width, std::uint64_t height, char* message, size_t capacity) {
  const std::string problem = image_size_problem(width, height);
  if (problem.empty()) {
    return false;
  }
  std::snprintf(message, capacity, "%s", problem.c_str());
  return true;
}

bool decode_into(PngState* state, PngContent content, Image* out) {
  state->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, state, on_png_error, on_png_warning);
  if (state->png == nullptr) {
    std::snprintf(state->message, sizeof state->message, "cannot create PNG reader");
    return false;
  }
  state->info = png_create_info_struct(state->png);
  if (state->info == nullptr || setjmp(png_jmpbuf(state->png)) != 0) {
    png_destroy_read_struct(&state->png, &state->info, nullptr);
    return false;
  }
  png_set_read_fn(state->png, state, read_from_memory);
  // Bounded before any row is allocated or decoded: the header's claimed size.
  png_read_info(state->png, state->info);
  if (size_problem(png_get_image_width(state->png, state->info),
                   png_get_image_height(state->png, state->info), state->message,
                   sizeof state->message)) {
    png_destroy_read_struct(&state->png, &state->info, nullptr);
    return false;
  }
  const int color_type = png_get_color_type(state->png, state->info);
  const int bit_depth = png_get_bit_depth(state->png, state->info);
  if (content == PngContent::labels) {
    if ((color_type != PNG_COLOR_TYPE_GRAY && color_type != PNG_COLOR_TYPE_PALETTE) ||
        bit_depth > 8) {
      png_error(state->png,
                "expected a grayscale or palette label map of at most 8 bits per pixel");
    }
    png_set_packing(state->png);  // 1/2/4-bit values become bytes, unscaled
  } else {
    png_set_expand(state->png);
    png_set_strip_16(state->png);
    png_set_strip_alpha(state->png);
    png_set_gray_to_rgb(state->png);
  }
  const int passes = png_set_interlace_handling(state->png);
  png_read_update_info(state->png, state->info);
  const int channels = png_get_channels(state->png, state->info);
  if (channels != (content == PngContent::labels ? 1 : 3)) {
    png_error(state->png, "unexpected channel count after conversion");
  }
  *out = Image::blank(static_cast<int>(png_get_image_width(state->png, state->info)),
                      static_cast<int>(png_get_image_height(state->png, state->info)), channels);
  const size_t stride = static_cast<size_t>(out->width) * channels;
  for (int pass = 0; pass < passes; ++pass) {
    for (int y = 0; y < out->height; ++y) {
      png_read_row(state->png, out->pixels.data() + y * stride, nullptr);
    }
  }
  png_read_end(state->png, nullptr);
  png_destroy_read_struct(&state->png, &state->info, nullptr);
  return true;
}

bool encode_into(PngState* state, const Image* image) {
  state->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, on_png_error, on_png_warning);
  if (state->png == nullptr) {
    std::snprintf(state->message, sizeof state->message, "cannot create PNG writer");
    return false;
  }
  state->info = png_create_info_struct(state->png);
  if (state->info == nullptr || setjmp(png_jmpbuf(state->png)) != 0) {
    png_destroy_write_struct(&state->png, &state->info);
    return false;
  }
  png_set_write_fn(state->png, state, write_to_memory, flush_memory);
  png_set_IHDR(state->png, state->info, static_cast<png_uint_32>(image->width),
               static_cast<png_uint_32>(image->height), /*bit_depth=*/8,
               image->channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(state->png, state->info);
  const size_t stride = static_cast<size_t>(image->width) * image->channels;
  for (int y = 0; y < image->height; ++y) {
    png_write_row(state->png, image->pixels.data() + y * stride);
  }
  png_write_end(state->png, nullptr);
  png_destroy_write_struct(&state->png, &state->info);
  return true;
}

}  // namespace

bool has_png_signature(std::span<const std::uint8_t> data) {
  return data.size() >= 8 && png_sig_cmp(data.data(), 0, 8) == 0;
}

Image decode_png(std::span<const std::uint8_t> data, const std::string& source,
                 PngContent content) {
  if (!has_png_signature(data)) {
    throw Error(source, "", "not a PNG file (bad signature)");
  }
  PngState state;
  state.data = data.data();
  state.size = data.size();
  Image image;
  if (!decode_into(&state, content, &image)) {
    throw Error(source, "", std::string("corrupt PNG: ") + state.message);
  }
  return image;
}

Image read_png(const std::filesystem::path& path, PngContent content) {
  const std::string bytes = read_file(path, k_max_image_file_bytes);
  return decode_png(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                    path.string(), content);
}

std::string encode_png(const Image& image) {
  assert(image.channels == 1 || image.channels == 3);
  assert(image.pixels.size() == static_cast<size_t>(image.width) * image.height * image.channels);
  std::string out;
  PngState state;
  state.output = &out;
  if (!encode_into(&state, &image)) {
    throw Error("", "", std::string("PNG encoding failed: ") + state.message);
  }
  return out;
}

void write_png(const std::filesystem::path& path, const Image& image) {
  try {
    write_file_atomic(path, encode_png(image));
  } catch (const Error& e) {
    if (!e.file().empty()) {
      throw;
    }
    throw Error(path.string(), "", e.message());
  }
}

}  // namespace repro
