"""The bundled specs are clean and match the published parameter counts; each broken example
shows the rule it is named after."""

from __future__ import annotations

from pathlib import Path

import pytest

from netspec import Settings, lint_file, lint_text
from netspec.show import summarize
from tests.helpers import BROKEN_EXAMPLES, PUBLISHED_PARAMS, ROOT, SPECS


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_bundled_spec_is_clean(path: Path) -> None:
    result = lint_file(path)
    assert result.diagnostics == []


@pytest.mark.parametrize(("name", "params"), PUBLISHED_PARAMS.items())
def test_published_parameter_counts(name: str, params: int) -> None:
    result = lint_file(ROOT / "specs" / f"{name}.yaml")
    assert result.analysis is not None
    assert summarize(result.analysis).total_params == params


def test_every_bundled_spec_has_a_published_count() -> None:
    assert set(PUBLISHED_PARAMS) == {path.stem for path in SPECS}


def test_cyclegan_generator_with_affine_instance_norm() -> None:
    # The repository's earlier default learnt a scale and a shift in each of its 23 instance
    # norms, 2·(64 + 128 + 256 + 18·256 + 128 + 64) = 10,496 more: it printed "Total number of
    # parameters: 11388675" (junyanz/pytorch-CycleGAN-and-pix2pix#45).
    text = (ROOT / "specs" / "cyclegan_resnet_generator.yaml").read_text(encoding="utf-8")
    affine = text.replace("{type: instancenorm,", "{type: instancenorm, affine: true,")
    assert affine.count("affine: true") == 23
    result = lint_text(affine, "affine.yaml")
    assert result.diagnostics == [] and result.analysis is not None
    assert summarize(result.analysis).total_params == 11_388_675


def test_vgg16_stage_sizes_halve_from_224_to_7() -> None:
    result = lint_file(ROOT / "specs" / "vgg16.yaml")
    assert result.analysis is not None
    pools = [n.output for n in result.analysis.graph.nodes if n.layer and n.layer.type == "maxpool"]
    assert [shape[1] for shape in pools if shape] == [112, 56, 28, 14, 7]


@pytest.mark.parametrize("path", BROKEN_EXAMPLES, ids=[p.stem for p in BROKEN_EXAMPLES])
def test_broken_example_shows_its_rule(path: Path) -> None:
    code = path.stem.split("_")[0].upper()
    result = lint_file(path, Settings(extend_select=(code,)))
    assert code in {d.code for d in result.diagnostics}


def test_yolov8n_modules_have_ultralytics_parameter_counts() -> None:
    # The "params" column Ultralytics prints for yolov8n.yaml, module by module (its layers
    # 0-9, the backbone, and 12, the first C2f of the head); the spec names each module's
    # layers with its index.
    printed = {
        "b0": 464,
        "b1": 4672,
        "b2": 7360,
        "b3": 18560,
        "b4": 49664,
        "b5": 73984,
        "b6": 197632,
        "b7": 295424,
        "b8": 460288,
        "b9": 164608,
        "h12": 148224,
    }
    result = lint_file(ROOT / "specs" / "yolov8n.yaml")
    assert result.analysis is not None
    counted: dict[str, int] = {}
    for node in result.analysis.graph.nodes:
        module = node.name.split("_")[0]
        counted[module] = counted.get(module, 0) + node.params
    assert {module: counted[module] for module in printed} == printed
