package fakeweb

import (
	"net/http"
	"strconv"
)

// GzipBomb answers 200 with "Content-Encoding: gzip" and a body that
// decompresses to about size bytes of zeros (rounded up to 1 + a multiple
// of 258) while only about size/1032 bytes travel. The body is a single,
// valid gzip member (correct CRC-32 and length), so every decoder inflates
// it, not only those that read concatenated members. It is sent whatever
// the request's Accept-Encoding, as a hostile server would.
func GzipBomb(size int64) Behaviour {
	b := newBomb(size)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.FormatInt(b.length(), 10))
		rw.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if _, err := rw.Write(b.head); err != nil {
			abort()
		}
		zeros := make([]byte, 32<<10)
		done := closing(r)
		for left := b.zeros; left > 0; {
			n := min(left, int64(len(zeros)))
			if _, err := rw.Write(zeros[:n]); err != nil {
				abort()
			}
			left -= n
			select {
			case <-r.Context().Done():
				abort()
			case <-done:
				abort()
			default:
			}
		}
		if _, err := rw.Write(b.tail); err != nil {
			abort()
		}
	})
}

// bomb is a gzip member built by hand: one dynamic-Huffman deflate block
// whose literal/length code gives the match "length 258" a 1-bit code and
// whose only distance code (1) also has 1 bit, both all-zero bits. After one
// literal zero, every 258 decompressed zeros cost two zero bits, so the bulk
// of the stream is zero bytes that need no compression work per request.
type bomb struct {
	head  []byte // gzip header, block header, the literal 0 and pending bits
	zeros int64  // zero bytes (4 matches each) that follow head
	tail  []byte // end of block, padding, CRC-32, ISIZE
}

func (b *bomb) length() int64 { return int64(len(b.head)) + b.zeros + int64(len(b.tail)) }

// bitWriter writes a deflate bit stream: fields LSB first, Huffman codes
// MSB first (RFC 1951 §3.1.1).
type bitWriter struct {
	out   []byte
	acc   uint32
	nbits uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	for i := uint(0); i < n; i++ {
		w.acc |= (v >> i & 1) << w.nbits
		w.nbits++
		if w.nbits == 8 {
			w.out = append(w.out, byte(w.acc))
			w.acc, w.nbits = 0, 0
		}
	}
}

// code writes a Huffman code given as a string of '0'/'1', first bit first.
func (w *bitWriter) code(c string) {
	for _, b := range c {
		w.bits(uint32(b-'0'), 1)
	}
}

func newBomb(size int64) *bomb {
	matches := max((size-1+257)/258, 0)
	total := 1 + 258*matches

	w := &bitWriter{out: []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255}} // gzip, deflate, no name, max compression, OS unknown
	w.bits(1, 1)                                                       // BFINAL
	w.bits(2, 2)                                                       // BTYPE dynamic
	w.bits(286-257, 5)                                                 // HLIT: literal/length codes 0..285
	w.bits(0, 5)                                                       // HDIST: one distance code
	w.bits(18-4, 4)                                                    // HCLEN: 18 code-length code lengths
	// Code-length alphabet: 18 gets 1 bit ("0"), 1 and 2 get 2 bits
	// ("10", "11"), listed in the order RFC 1951 prescribes.
	clLen := map[int]uint32{18: 1, 1: 2, 2: 2}
	for _, sym := range []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1} {
		w.bits(clLen[sym], 3)
	}
	// Literal/length lengths: 0→2, 1..255→0, 256→2, 257..284→0, 285→1;
	// distance lengths: 0→1.
	w.code("11")      // length 2 (literal 0)
	w.code("0")       // 18: zeros…
	w.bits(138-11, 7) // …138 of them
	w.code("0")       // 18: zeros…
	w.bits(117-11, 7) // …117 more (1..255 done)
	w.code("11")      // length 2 (end of block)
	w.code("0")       // 18: zeros…
	w.bits(28-11, 7)  // …28 (257..284)
	w.code("10")      // length 1 (length 258)
	w.code("10")      // length 1 (distance 1)
	w.code("10")      // data: literal 0 ("10"); each match then is "0" + "0"
	zeroBits := 2 * matches
	// Finish the pending byte with zero bits, emit the rest as whole bytes.
	if w.nbits > 0 && zeroBits >= int64(8-w.nbits) {
		zeroBits -= int64(8 - w.nbits)
		w.out = append(w.out, byte(w.acc))
		w.acc, w.nbits = 0, 0
	}
	b := &bomb{head: w.out}
	if w.nbits == 0 {
		b.zeros = zeroBits / 8
		zeroBits %= 8
	}
	t := &bitWriter{acc: w.acc, nbits: w.nbits}
	t.bits(0, uint(zeroBits))
	t.code("11") // end of block
	if t.nbits > 0 {
		t.out = append(t.out, byte(t.acc))
	}
	crc := crc32Zeros(total)
	t.out = append(t.out, byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24),
		byte(total), byte(total>>8), byte(total>>16), byte(total>>24))
	b.tail = t.out
	return b
}

// crc32Zeros is crc32.ChecksumIEEE of n zero bytes, computed in O(log n)
// with the GF(2) matrix method (as zlib's crc32_combine) instead of
// hashing gigabytes of zeros.
func crc32Zeros(n int64) uint32 {
	times := func(m *[32]uint32, v uint32) uint32 {
		var s uint32
		for i := 0; v != 0; i, v = i+1, v>>1 {
			if v&1 != 0 {
				s ^= m[i]
			}
		}
		return s
	}
	square := func(m *[32]uint32) *[32]uint32 {
		var sq [32]uint32
		for i := range sq {
			sq[i] = times(m, m[i])
		}
		return &sq
	}
	// op shifts one zero bit through the reflected CRC-32 register.
	var op [32]uint32
	op[0] = 0xedb88320
	for i := 1; i < 32; i++ {
		op[i] = 1 << (i - 1)
	}
	m := square(square(square(&op))) // one zero byte
	reg := ^uint32(0)                // the register starts inverted
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			reg = times(m, reg)
		}
		m = square(m)
	}
	return ^reg
}
