package langid

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/pemistahl/lingua-go"
	"github.com/pemistahl/lingua-go/serialization"
	"google.golang.org/protobuf/proto"
)

// TestDecodeModelMatchesProto holds the wire decoder of lingua's models to
// the generated protobuf code, on models of every order and several scripts.
func TestDecodeModelMatchesProto(t *testing.T) {
	for _, tc := range []struct {
		lang  lingua.Language
		order int
	}{{lingua.English, 1}, {lingua.Swedish, 3}, {lingua.Hindi, 4}, {lingua.Danish, 5}, {lingua.Russian, 5}} {
		t.Run(fmt.Sprintf("%s-%d", tc.lang, tc.order), func(t *testing.T) {
			got, err := loadModel(tc.lang, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			names := [...]string{"", "unigrams", "bigrams", "trigrams", "quadrigrams", "fivegrams"}
			path := fmt.Sprintf("language-models/%s/%s.pb.bin.zip", strings.ToLower(tc.lang.IsoCode639_1().String()), names[tc.order])
			raw, err := linguaModels.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			f, err := zr.File[0].Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			var m serialization.SerializableLanguageModel
			if err := proto.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			var wantKeys, gotKeys []uint64
			var wantLogp, gotLogp []float32
			for _, ns := range m.NgramSets {
				for _, g := range ns.Ngrams {
					wantKeys = append(wantKeys, key([]rune(g)))
					wantLogp = append(wantLogp, float32(math.Log(ns.Probability)))
				}
			}
			got.eachLogp(func(k uint64, lp float32) {
				gotKeys, gotLogp = append(gotKeys, k), append(gotLogp, lp)
			})
			if len(wantKeys) < 100 || !slices.Equal(gotKeys, wantKeys) || !slices.Equal(gotLogp, wantLogp) {
				t.Fatalf("wire decoder: %d n-grams, generated code: %d (or they differ)", len(gotKeys), len(wantKeys))
			}
		})
	}
}

func TestDecodeModelRejectsBadData(t *testing.T) {
	for _, data := range [][]byte{{0x22, 0x05, 0x12}, {0x22}, {0x22, 0x03, 0x12, 0x01, 'a'}} { // truncated set, truncated length, a 1-gram in a 3-gram model
		if _, err := decodeModel(data, 3); err == nil {
			t.Errorf("decodeModel(%x) accepted bad data", data)
		}
	}
}
