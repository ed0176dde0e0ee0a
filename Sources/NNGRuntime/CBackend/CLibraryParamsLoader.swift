/// The C that reads an exported library's parameters from a safetensors file (`--params-file`):
/// an 8-byte little-endian header length, a JSON header `{"name": {"dtype": "F32", "shape": […],
/// "data_offsets": [begin, end]}, …}`, then the data (little-endian). Each parameter is looked
/// up by its quoted name followed by a colon, its dtype (F32 or F64) converted to the library's,
/// and its byte count checked against its shape.
enum CLibraryParamsLoader {
    /// `s` inside a C string literal.
    static func escaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value >= 0x20 && u.value < 0x7F { out.unicodeScalars.append(u) } else { out += String(format: "\\%03o", u.value & 0xFF) }
            }
        }
        return out
    }

    static func source(T: String) -> String {
        """
        struct nngc_param_slot { const char* name; long offset; long count; };

        /* The value after "key": (a member of the flat object that starts at `object`), or NULL. With `top`, the
         * whole header is searched and the value must be an object (a tensor's entry). */
        static const char* nngc_json_member(const char* object, const char* key, int top) {
          size_t n = strlen(key);
          const char* end = top ? NULL : strchr(object, '}');
          const char* p = object;
          while ((p = strstr(p, key)) != NULL && (end == NULL || p < end)) {
            const char* q = p + n;
            if (p > object && p[-1] == '"' && *q == '"') {
              q++;
              while (*q == ' ' || *q == '\\t' || *q == '\\n' || *q == '\\r') q++;
              if (*q == ':') {
                q++;
                while (*q == ' ' || *q == '\\t' || *q == '\\n' || *q == '\\r') q++;
                if (!top || *q == '{') return q;
              }
            }
            p = q;
          }
          return NULL;
        }

        static int nngc_read_param(FILE* f, const char* header, long data_start, \(T)* dst, const struct nngc_param_slot* slot) {
          const char* entry = nngc_json_member(header, slot->name, 1);
          const char* dtype;
          const char* offsets;
          char* next;
          unsigned long long begin, end;
          long i, width;
          unsigned char raw[8];
          if (entry == NULL || *entry != '{') return -1;
          dtype = nngc_json_member(entry, "dtype", 0);
          offsets = nngc_json_member(entry, "data_offsets", 0);
          if (dtype == NULL || offsets == NULL || *offsets != '[') return -1;
          if (strncmp(dtype, "\\"F32\\"", 5) == 0) width = 4;
          else if (strncmp(dtype, "\\"F64\\"", 5) == 0) width = 8;
          else return -1;
          begin = strtoull(offsets + 1, &next, 10);
          while (*next == ' ' || *next == ',') next++;
          end = strtoull(next, NULL, 10);
          if (end < begin || end - begin != (unsigned long long)(slot->count * width)) return -1;
          if (fseek(f, data_start + (long)begin, SEEK_SET) != 0) return -1;
          for (i = 0; i < slot->count; i++) {
            uint64_t bits = 0;
            int b;
            if (fread(raw, 1, (size_t)width, f) != (size_t)width) return -1;
            for (b = (int)width - 1; b >= 0; b--) bits = (bits << 8) | raw[b];
            if (width == 4) {
              uint32_t u = (uint32_t)bits;
              float x;
              memcpy(&x, &u, 4);
              dst[i] = (\(T))x;
            } else {
              double x;
              memcpy(&x, &bits, 8);
              dst[i] = (\(T))x;
            }
          }
          return 0;
        }

        /* Fills the parameters' slots of `arena` from the safetensors file `path`: 0, or -1. */
        static int nngc_load_params(\(T)* arena, const char* path, const struct nngc_param_slot* slots, int count) {
          FILE* f;
          unsigned char raw[8];
          unsigned long long length = 0;
          char* header;
          int i, b, rc = 0;
          if (path == NULL || (f = fopen(path, "rb")) == NULL) return -1;
          if (fread(raw, 1, 8, f) != 8) { fclose(f); return -1; }
          for (b = 7; b >= 0; b--) length = (length << 8) | raw[b];
          if (length > 100000000ULL || (header = (char*)malloc((size_t)length + 1)) == NULL) { fclose(f); return -1; }
          if (fread(header, 1, (size_t)length, f) != (size_t)length) { free(header); fclose(f); return -1; }
          header[length] = 0;
          for (i = 0; i < count && rc == 0; i++) {
            rc = nngc_read_param(f, header, 8 + (long)length, arena + slots[i].offset, &slots[i]);
          }
          free(header);
          fclose(f);
          return rc;
        }

        """
    }
}
