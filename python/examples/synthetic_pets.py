"""The synthetic pets of models/data/synthetic_pets.cpp, ported line for line (integer only).

Same ids, images and trimaps as repro-worker's for the same (count, image_size, seed), so the
PyTorch worker trains on the same data; and the same epoch order and flips as
models/pet_batches.cpp. C++ integer division and remainder truncate toward zero: tdiv/tmod.
"""
import hashlib

M64 = (1 << 64) - 1
DIRECTIONS = ((1024, 0), (1004, 200), (946, 392), (851, 569), (724, 724), (569, 851),
              (392, 946), (200, 1004), (0, 1024), (-200, 1004), (-392, 946), (-569, 851),
              (-724, 724), (-851, 569), (-946, 392), (-1004, 200))
UNIT = 16
CAT, DOG = 0, 1
BREEDS = [(n, CAT) for n in ("Abyssinian", "Bengal", "Birman", "Bombay", "British_Shorthair",
                             "Egyptian_Mau", "Maine_Coon", "Persian", "Ragdoll", "Russian_Blue",
                             "Siamese", "Sphynx")] + \
         [(n, DOG) for n in ("american_bulldog", "american_pit_bull_terrier", "basset_hound",
                             "beagle", "boxer", "chihuahua", "english_cocker_spaniel",
                             "english_setter", "german_shorthaired", "great_pyrenees", "havanese",
                             "japanese_chin", "keeshond", "leonberger", "miniature_pinscher",
                             "newfoundland", "pomeranian", "pug", "saint_bernard", "samoyed",
                             "scottish_terrier", "shiba_inu", "staffordshire_bull_terrier",
                             "wheaten_terrier", "yorkshire_terrier")]
PET, BACKGROUND, BORDER = 1, 2, 3


def tdiv(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def tmod(a, b):
    return a - b * tdiv(a, b)


def splitmix64(state):
    state = (state + 0x9e3779b97f4a7c15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return state, z ^ (z >> 31)


def derive_seed(parts):
    state, out = 0x5eed5eed5eed5eed, 0
    for part in parts:
        state ^= part & M64
        _, out = splitmix64(state)
        state = out
    return out


class Xoshiro256:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed, word = splitmix64(seed & M64)
            self.s.append(word)

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def below(self, n):
        return self.next() % n


def between(rng, lo, hi):
    return lo + rng.below(hi - lo + 1)


class Ellipse:
    def __init__(self, cx, cy, a, b, direction):
        self.cx, self.cy, self.a, self.b, self.direction = cx, cy, a, b, direction

    def along(self, x, y):
        d = DIRECTIONS[self.direction]
        return tdiv((x - self.cx) * d[0] + (y - self.cy) * d[1], 1024)

    def contains(self, x, y):
        d = DIRECTIONS[self.direction]
        u = tdiv((x - self.cx) * d[0] + (y - self.cy) * d[1], 1024)
        v = tdiv(-(x - self.cx) * d[1] + (y - self.cy) * d[0], 1024)
        a, b = self.a, self.b
        return u * u * b * b + v * v * a * a <= a * a * b * b


def random_shape(rng, size, species):
    s = size * UNIT
    body = Ellipse(0, 0, 1, 1, 0)
    body.cx = tdiv(s * between(rng, 42, 58), 100)
    body.cy = tdiv(s * between(rng, 50, 62), 100)
    body.a = tdiv(s * between(rng, 22, 32), 100)
    body.b = tdiv(s * between(rng, 14, 20), 100)
    body.direction = (14 + rng.below(5)) % 16
    d = DIRECTIONS[body.direction]
    side = 1 if rng.below(2) == 0 else -1
    reach = tdiv(body.a * 85, 100)
    h = tdiv(s * between(rng, 12, 16), 100)
    head = Ellipse(body.cx + tdiv(side * reach * d[0], 1024),
                   body.cy + tdiv(side * reach * d[1], 1024) - tdiv(h, 3), h, h, 0)
    ears = []
    for e in range(2):
        out = -1 if e == 0 else 1
        if species == CAT:
            ears.append(Ellipse(head.cx + tdiv(out * h * 55, 100), head.cy - tdiv(h * 80, 100),
                                tdiv(h * 45, 100), tdiv(h * 22, 100), 8))
        else:
            ears.append(Ellipse(head.cx + tdiv(out * h * 90, 100), head.cy + tdiv(h * 10, 100),
                                tdiv(h * 50, 100), tdiv(h * 25, 100), 8))
    tail = Ellipse(body.cx - tdiv(side * body.a * d[0], 1024),
                   body.cy - tdiv(side * body.a * d[1], 1024) - tdiv(body.b, 2),
                   tdiv(body.a * 40, 100), max(tdiv(s * 3, 100), UNIT), (body.direction + 13) % 16)
    return body, head, ears, species == DOG, tail


def breed_colour(index):
    h = derive_seed([0xb5eed, index])
    return [40 + (h & 0xff) % 190, 40 + ((h >> 8) & 0xff) % 190, 40 + ((h >> 16) & 0xff) % 190]


def value_noise(seed, x, y, cell):
    gx, gy, fx, fy = tdiv(x, cell), tdiv(y, cell), tmod(x, cell), tmod(y, cell)

    def lattice(i, j):
        return derive_seed([seed, i & M64, j & M64]) & 63
    top = lattice(gx, gy) * (cell - fx) + lattice(gx + 1, gy) * fx
    bottom = lattice(gx, gy + 1) * (cell - fx) + lattice(gx + 1, gy + 1) * fx
    return tdiv(top * (cell - fy) + bottom * fy, cell * cell)


def pet_ids(count, seed):
    rng = Xoshiro256(derive_seed([seed, 0x1d5]))
    numbers, ids = {}, []
    for _ in range(count):
        breed = rng.below(len(BREEDS))
        numbers[breed] = numbers.get(breed, 0) + 1
        ids.append(f"{BREEDS[breed][0]}_{numbers[breed]}")
    return ids


def generate_pet(sample_id, index, size, seed):
    """(id, image bytes HWC RGB, trimap bytes HW) as repro-worker generates them."""
    name = sample_id[:sample_id.rindex("_")]
    breed_index = [b[0] for b in BREEDS].index(name)
    species = BREEDS[breed_index][1]
    rng = Xoshiro256(derive_seed([seed, 0x9e7, index]))
    body, head, ears, has_tail, tail = random_shape(rng, size, species)

    def contains(x, y):
        return (body.contains(x, y) or head.contains(x, y) or ears[0].contains(x, y)
                or ears[1].contains(x, y) or (has_tail and tail.contains(x, y)))

    def in_head(x, y):
        return head.contains(x, y) or ears[0].contains(x, y) or ears[1].contains(x, y)

    coat = breed_colour(breed_index)
    coat = [coat[0] + between(rng, -16, 16), coat[1] + between(rng, -16, 16),
            coat[2] + between(rng, -16, 16)]
    ground = [between(rng, 30, 220), between(rng, 30, 220), between(rng, 30, 220)]
    pattern = breed_index % 4
    stripe_period = max(tdiv(size * UNIT, 6), 2 * UNIT)
    texture_cell = max(tdiv(size, 6), 2)
    texture_direction = rng.below(16)
    texture_period = max(tdiv(size * UNIT, 3), 4 * UNIT)
    noise_seed = rng.next()
    mask = [[1 if contains(x * UNIT + UNIT // 2, y * UNIT + UNIT // 2) else 0
             for x in range(size)] for y in range(size)]
    ring = max(1, tdiv(size, 48))
    image = bytearray(size * size * 3)
    trimap = bytearray(size * size)
    td = DIRECTIONS[texture_direction]
    for y in range(size):
        for x in range(size):
            any_pet = any_background = False
            for ny in range(max(0, y - ring), min(size - 1, y + ring) + 1):
                for nx in range(max(0, x - ring), min(size - 1, x + ring) + 1):
                    if mask[ny][nx]:
                        any_pet = True
                    else:
                        any_background = True
            pet = mask[y][x] != 0
            label = PET if pet else BACKGROUND
            if any_pet and any_background:
                label = BORDER
            trimap[y * size + x] = label
            fx, fy = x * UNIT + UNIT // 2, y * UNIT + UNIT // 2
            t = tmod(tmod(tdiv(fx * td[0] + fy * td[1], 1024), texture_period) + texture_period,
                     texture_period)
            wave = tdiv(abs(2 * t - texture_period) * 24, texture_period) - 12
            blotch = value_noise(noise_seed, x, y, texture_cell) - 32
            bg = [ground[0] + blotch + wave, ground[1] + blotch, ground[2] + blotch - wave]
            fur = list(coat)
            if pattern == 1 and tmod(tdiv(abs(body.along(fx, fy)), stripe_period), 2) == 1:
                fur = [tdiv(c * 3, 5) for c in fur]
            elif pattern == 2 and value_noise(noise_seed ^ 0x5907, x, y, 3) > 40:
                fur = [tdiv(c, 3) for c in fur]
            elif pattern == 3 and in_head(fx, fy):
                fur = [tdiv(c, 2) for c in fur]
            colour = fur if pet else bg
            if label == BORDER:
                colour = [tdiv(fur[i] + bg[i], 2) for i in range(3)]
            grain = rng.below(21) - 10
            for c in range(3):
                image[(y * size + x) * 3 + c] = min(max(colour[c] + grain, 0), 255)
    return sample_id, bytes(image), bytes(trimap)


def split_of(sample_id):
    fold = int(hashlib.md5(sample_id.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if fold <= 6 else "validation" if fold == 7 else "other"


def train_and_validation(count, size, seed):
    """The train and validation samples, each sorted by id (models/data/pet_dataset.cpp)."""
    train, validation = [], []
    for index, sample_id in enumerate(pet_ids(count, seed)):
        split = split_of(sample_id)
        if split == "other":
            continue
        (train if split == "train" else validation).append(generate_pet(sample_id, index, size,
                                                                        seed))
    return sorted(train, key=lambda s: s[0].encode()), sorted(validation,
                                                              key=lambda s: s[0].encode())


class TrainBatches:
    """models/pet_batches.cpp: Fisher-Yates epochs and flips from one Xoshiro256 stream."""

    def __init__(self, count, seed):
        self.rng = Xoshiro256(derive_seed([seed, 0xda7a]))
        self.count = count
        self.start_epoch()

    def start_epoch(self):
        self.order = list(range(self.count))
        for i in range(self.count, 1, -1):
            j = self.rng.below(i)
            self.order[i - 1], self.order[j] = self.order[j], self.order[i - 1]
        self.position = 0

    def next(self, batch_size, augment_flip):
        """[(index, flipped)] of the next batch."""
        out = []
        for _ in range(batch_size):
            if self.position == self.count:
                self.start_epoch()
            index = self.order[self.position]
            self.position += 1
            out.append((index, augment_flip and self.rng.below(2) == 1))
        return out
