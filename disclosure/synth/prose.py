"""Narrative sections (一 总体情况, 五 问题与改进, 六 其他事项) from sentence pools (data)."""

from __future__ import annotations

import random

PREAMBLES: tuple[str, ...] = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求编制。本报告中所列数据统计期限为{year}年1月1日至{year}年12月31日。",
    "本报告由{agency}根据《中华人民共和国政府信息公开条例》规定编制。报告所列统计期限自{year}年1月1日至{year}年12月31日。如对本报告有疑问，请与{agency}联系。",
    "根据《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年度政府信息公开工作年度报告。本报告中所列数据统计期限从{year}年1月1日到12月31日止。本年度报告电子版可在门户网站下载。",
)
OVERVIEW_OPENERS: tuple[str, ...] = (
    "{year}年，{self}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《条例》各项规定，不断提高政府工作透明度，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{year}年，{self}深入贯彻党中央、国务院关于政务公开工作的决策部署，围绕中心工作，聚焦社会公众需求，扎实推进政府信息公开工作。",
    "{year}年，在上级部门的指导下，{self}认真落实政务公开工作要点，进一步规范公开内容，拓展公开渠道，政府信息公开工作取得新进展。",
)
SUBSECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("主动公开", (
        "全年通过门户网站主动公开政府信息{n1}条，其中政策文件{n2}件，政策解读{n3}篇。",
        "及时发布机构职能、规划计划、财政预决算、重大建设项目等信息，主动公开目录持续更新。",
        "围绕优化营商环境、乡村振兴、民生保障等重点领域，做好政策发布和解读工作。",
    )),
    ("依申请公开", (
        "全年共受理政府信息公开申请{apps}件，均在法定期限内予以答复。",
        "进一步规范依申请公开办理流程，加强与申请人的沟通，提高答复的针对性和规范性。",
        "严格执行依申请公开登记、审核、办理、答复、归档等工作制度。",
    )),
    ("政府信息管理", (
        "严格落实公开属性源头认定和发布前保密审查机制，坚持“先审查、后公开”和“一事一审”原则。",
        "对已公开的政府信息进行全面梳理，动态调整主动公开基本目录。",
        "按照“谁公开、谁审查、谁负责”的要求，规范信息发布审核程序。",
    )),
    ("政府信息公开平台建设", (
        "持续加强政府网站和政务新媒体建设管理，充分发挥政府网站第一平台作用。",
        "优化政府信息公开专栏设置，完善检索、查询和互动功能，提升用户体验。",
        "全年在政务新媒体发布信息{n4}条，及时回应社会关切。",
    )),
    ("监督保障", (
        "将政务公开工作纳入年度绩效考核，定期开展网站和新媒体检查。",
        "组织开展政务公开业务培训{n5}次，提升工作人员业务能力和水平。",
        "完善社会评议和责任追究机制，主动接受社会监督。",
    )),
)
PROBLEMS: tuple[str, ...] = (
    "{year}年，{self}政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读形式较为单一，解读质量有待提升；二是主动公开内容的及时性和完整性还需加强。",
    "对照上级新要求和公众新期待，还存在一些需要改进的地方：个别栏目更新不够及时，依申请公开办理的规范化水平仍需提高。",
    "存在的主要问题是政务公开工作人员业务能力有待进一步提升，公众参与渠道还需进一步拓展。",
)
IMPROVEMENTS: tuple[str, ...] = (
    "{next}年，{self}将进一步加强业务学习，丰富政策解读形式，提升政务公开工作质效。",
    "下一步，将聚焦群众关切，优化主动公开目录，加强政府网站和政务新媒体管理，持续提升政务公开标准化规范化水平。",
    "针对上述问题，{self}将健全工作机制，强化培训指导，推动政府信息公开工作再上新台阶。",
)
OTHER_MATTERS: tuple[str, ...] = (
    "无。",
    "本年度未收取信息处理费。",
    "依据《政府信息公开信息处理费管理办法》，{year}年{self}未收取信息处理费。",
    "依据《政府信息公开信息处理费管理办法》规定，{year}年共收取信息处理费{fee}元。",
    "无其他需要报告的事项。",
)
GUIDE_SENTENCE = "修订完善《{agency}政府信息公开指南》，方便公众查询和申请政府信息。"


def numbers(rng: random.Random) -> dict[str, int]:
    """The incidental numbers of the prose (items published, trainings, fees)."""
    nums = {f"n{i}": 3 + int(rng.random() * 3000) for i in range(1, 6)}
    nums["fee"] = rng.choice((100, 400, 1200, 3940))
    return nums


def _fill(rng: random.Random, text: str, ctx: dict[str, object]) -> str:
    return text.format_map(ctx) if "{" in text else text


def preamble(rng: random.Random, ctx: dict[str, object]) -> str:
    return _fill(rng, rng.choice(PREAMBLES), ctx)


def overview(rng: random.Random, ctx: dict[str, object], bracket: tuple[str, str]) -> list[str]:
    """Paragraphs of section 一 (first the opener, then （一）…（五） sub-sections)."""
    paras = [_fill(rng, rng.choice(OVERVIEW_OPENERS), ctx)]
    numerals = "一二三四五"
    for i, (heading, pool) in enumerate(SUBSECTIONS[: rng.randint(3, 5)]):
        body = "".join(_fill(rng, s, ctx) for s in rng.sample(pool, rng.randint(1, len(pool))))
        if heading == "政府信息管理" and rng.random() < 0.5:
            body += _fill(rng, GUIDE_SENTENCE, ctx)
        paras.append(f"{bracket[0]}{numerals[i]}{bracket[1]}{heading}情况。{body}")
    return paras


def problems(rng: random.Random, ctx: dict[str, object]) -> list[str]:
    return [_fill(rng, rng.choice(PROBLEMS), ctx), _fill(rng, rng.choice(IMPROVEMENTS), ctx)]


def other_matters(rng: random.Random, ctx: dict[str, object]) -> list[str]:
    return [_fill(rng, rng.choice(OTHER_MATTERS), ctx)]
