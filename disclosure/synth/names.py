"""Realistic reporting bodies and report titles (data, plus two small pure functions)."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (province, [prefecture-level cities], [counties/districts of the first city]) — real names.
REGIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("江苏省", ("淮安市", "南京市", "苏州市", "宿迁市", "盐城市", "徐州市"), ("洪泽区", "淮阴区", "涟水县", "盱眙县", "金湖县", "沭阳县", "泗阳县")),
    ("浙江省", ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市"), ("西湖区", "余杭区", "桐庐县", "淳安县", "建德市", "临安区")),
    ("福建省", ("福州市", "厦门市", "泉州市", "漳州市", "莆田市", "三明市"), ("鼓楼区", "闽侯县", "连江县", "罗源县", "闽清县", "永泰县")),
    ("山东省", ("济南市", "青岛市", "烟台市", "潍坊市", "临沂市", "济宁市"), ("历下区", "章丘区", "平阴县", "商河县", "莱芜区", "钢城区")),
    ("广东省", ("广州市", "深圳市", "佛山市", "东莞市", "惠州市", "江门市"), ("越秀区", "海珠区", "番禺区", "花都区", "从化区", "增城区")),
    ("四川省", ("成都市", "绵阳市", "德阳市", "宜宾市", "南充市", "乐山市"), ("锦江区", "青羊区", "金牛区", "双流区", "郫都区", "大邑县")),
    ("河南省", ("郑州市", "洛阳市", "开封市", "新乡市", "南阳市", "许昌市"), ("中原区", "二七区", "管城回族区", "巩义市", "荥阳市", "中牟县")),
    ("湖北省", ("武汉市", "宜昌市", "襄阳市", "荆州市", "黄冈市", "孝感市"), ("江岸区", "江汉区", "洪山区", "蔡甸区", "江夏区", "新洲区")),
    ("青海省", ("西宁市", "海东市"), ("城东区", "城中区", "城西区", "城北区", "湟中区", "大通回族土族自治县")),
    ("安徽省", ("合肥市", "芜湖市", "蚌埠市", "安庆市", "滁州市", "阜阳市"), ("瑶海区", "庐阳区", "蜀山区", "包河区", "长丰县", "肥东县")),
)
MUNICIPALITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("上海市", ("浦东新区", "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区")),
    ("北京市", ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "顺义区")),
    ("天津市", ("和平区", "河东区", "河西区", "南开区", "滨海新区", "武清区")),
    ("重庆市", ("渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "万州区")),
)
# Departments by level. Provincial bodies are 厅/委员会; city and county ones 局/委员会.
CITY_DEPARTMENTS: tuple[str, ...] = (
    "人民政府办公室", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水务局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "数据局", "行政审批局",
)
PROVINCE_DEPARTMENTS: tuple[str, ...] = (
    "人民政府办公厅", "发展和改革委员会", "教育厅", "科学技术厅", "公安厅", "民政厅", "财政厅",
    "自然资源厅", "生态环境厅", "住房和城乡建设厅", "交通运输厅", "农业农村厅", "商务厅", "卫生健康委员会",
)
ZONES: tuple[str, ...] = ("经济技术开发区", "高新技术产业开发区", "综合保税区", "经济开发区")
TOWN_SUFFIXES: tuple[str, ...] = ("镇人民政府", "街道办事处", "乡人民政府")
TOWN_STEMS: tuple[str, ...] = ("城关", "新华", "东风", "高桥", "黄山", "白马", "青龙", "永安", "双河", "马集", "三河", "西湖")


@dataclass(frozen=True)
class Agency:
    name: str  # as printed in the title and recorded in the golden file
    level: str  # province, city, county, department, zone, town
    is_government: bool  # a 人民政府 report (makes regulations possible)
    short_self: str  # how the body refers to itself in prose: 我市, 我局, 本机关…


def _self_reference(name: str) -> str:
    for suffix, ref in (
        ("人民政府", "我市" if name.endswith("市人民政府") else "我区" if name.endswith("区人民政府") else "我县"),
        ("办公厅", "我厅"), ("办公室", "我办"), ("委员会", "我委"), ("局", "我局"), ("厅", "我厅"),
        ("办事处", "我街道"), ("管理委员会", "我区"), ("开发区", "开发区"),
    ):
        if name.endswith(suffix):
            return ref
    return "本机关"


def random_agency(rng: random.Random) -> Agency:
    roll = rng.random()
    if roll < 0.08:
        muni, districts = rng.choice(MUNICIPALITIES)
        if rng.random() < 0.5:
            name = muni + rng.choice(("人民政府", "人民政府办公厅"))
            return Agency(name, "province", name.endswith("人民政府"), _self_reference(name))
        name = rng.choice(districts) + "人民政府"
        return Agency(name, "county", True, _self_reference(name))
    province, cities, counties = rng.choice(REGIONS)
    if roll < 0.14:
        name = province + rng.choice(PROVINCE_DEPARTMENTS)
        return Agency(name, "province", False, _self_reference(name))
    if roll < 0.30:
        name = rng.choice(cities) + "人民政府"
        return Agency(name, "city", True, _self_reference(name))
    if roll < 0.46:
        name = rng.choice(counties) + "人民政府"
        if rng.random() < 0.3:
            name = cities[0] + name  # 淮安市洪泽区人民政府
        return Agency(name, "county", True, _self_reference(name))
    if roll < 0.78:
        name = rng.choice(cities) + rng.choice(CITY_DEPARTMENTS)
        return Agency(name, "department", False, _self_reference(name))
    if roll < 0.90:
        county = rng.choice(counties)
        dept = rng.choice(CITY_DEPARTMENTS).replace("委员会", "局") if rng.random() < 0.3 else rng.choice(CITY_DEPARTMENTS)
        name = county + dept
        return Agency(name, "department", False, _self_reference(name))
    if roll < 0.95:
        name = rng.choice(cities)[:-1] + rng.choice(ZONES)
        if rng.random() < 0.4:
            name += "管理委员会"
        return Agency(name, "zone", False, _self_reference(name))
    name = rng.choice(counties) + rng.choice(TOWN_STEMS) + rng.choice(TOWN_SUFFIXES)
    return Agency(name, "town", False, _self_reference(name))


TITLE_PATTERNS_WITH_AGENCY: tuple[str, ...] = (
    "{agency}{year}年政府信息公开工作年度报告",
    "{agency}{year}年政府信息公开工作年度报告",
    "{year}年{agency}政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作年度报告",
    "{agency}{year}年政府信息公开年度报告",
)
TITLE_PATTERNS_WITHOUT_AGENCY: tuple[str, ...] = (
    "{year}年政府信息公开工作年度报告",
    "{year}年度政府信息公开工作年度报告",
)


def title_for(rng: random.Random, agency: str, year: int, with_agency: bool) -> str:
    patterns = TITLE_PATTERNS_WITH_AGENCY if with_agency else TITLE_PATTERNS_WITHOUT_AGENCY
    return rng.choice(patterns).format(agency=agency, year=year)
