"""`cmo-workbook preview` shows the whole memo: a fixed window height cut long memos in the middle (a CEO reader
of the screenshots saw the KPI memo end inside its second recommendation)."""
import numpy as np
from PIL import Image

from cmo_workbook.delivery import preview


def _page(tmp_path, px: int):
    html = tmp_path / "memo.html"
    html.write_text('<html><body style="margin:0;background:#f2f2f2">'
                    f'<div style="height:{px}px;background:#262626"></div>'
                    '<p style="margin:0;height:40px;background:#c00000">end</p></body></html>', encoding="utf-8")
    return html


def test_a_long_memo_is_captured_to_its_end(tmp_path, chromium):
    png = preview.screenshot(_page(tmp_path, 5000), tmp_path / "memo.png")
    rgb = np.asarray(Image.open(png).convert("RGB"))
    # 5000 px dark + 40 px red end marker + the 16 px margin of background; nothing cut, nothing left empty
    assert rgb.shape[0] == 5000 + 40 + 16
    assert tuple(rgb[5020, 10]) == (192, 0, 0)
    assert tuple(rgb[-1, 10]) == (242, 242, 242)


def test_trim_keeps_an_image_without_background_below(tmp_path):
    png = tmp_path / "full.png"
    Image.fromarray(np.zeros((30, 5, 3), dtype=np.uint8) + np.arange(30, dtype=np.uint8)[:, None, None]).save(png)
    preview.trim_bottom(png)
    assert Image.open(png).size == (5, 30)
