"""Demo catalog for `manage.py seed_demo`.

A Brazilian storefront in one call of the ``DEMO_DATA`` hook: a category tree,
brands, about two hundred products with variants (imported through the catalog
import pipeline, so each product has a published revision and audit entries),
product images drawn locally with Pillow, collections ("vitrines"), the
storefront pages, the store settings and the content moderation workflow.

Idempotent: everything is keyed on slugs, SKUs, paths, titles and names, so a
second run creates nothing. Deterministic: the catalog comes from a seeded
random generator, so every run describes the same products.
"""

from __future__ import annotations

import colorsys
import csv
import io
import math
import random
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from content.models import (
    Brand,
    Category,
    Collection,
    CollectionProduct,
    ContentPage,
    HomePage,
    LandingPage,
    Product,
    ProductImage,
    StoreSettings,
    Variant,
)
from content.resources import COLUMNS
from content.validators import gtin_check_digit, is_valid_cnpj
from plugins.roles import role_group

SEED = 20251128
MAX_VARIANTS = 6
PRODUCTS_PER_CATEGORY = 16
# Products with photos: this many per category, and those of the collections.
IMAGED_PER_CATEGORY = 3
GTIN_PREFIX = "78990"  # "789" is GS1 Brasil; 12 digits before the check digit
CNPJ_ROOT = "43512876"  # fictional; the branch and check digits are computed
WORKFLOW_NAME = "Revisão de conteúdo"
TASK_NAME = "Aprovação do moderador"


class DemoDataError(RuntimeError):
    """The demo catalog could not be written (the import refused rows)."""


# -- the catalog -----------------------------------------------------------------------

# (slug, name, parent slug, description)
CATEGORIES = [
    ("moda", "Moda", None, "Roupas e calçados para o dia a dia."),
    ("camisetas", "Camisetas", "moda", "Camisetas, polos e regatas."),
    ("calcas", "Calças e bermudas", "moda", "Jeans, sarja, chino e jogger."),
    ("calcados", "Calçados", "moda", "Tênis, sandálias e chinelos."),
    ("casa", "Casa", None, "Tudo para deixar a casa do seu jeito."),
    ("cozinha", "Cozinha", "casa", "Panelas, utensílios e eletroportáteis."),
    ("cama-e-banho", "Cama e banho", "casa", "Lençóis, toalhas e edredons."),
    ("decoracao", "Decoração", "casa", "Vasos, velas, almofadas e quadros."),
    ("eletronicos", "Eletrônicos", None, "Celulares, áudio e acessórios."),
    ("celulares", "Celulares", "eletronicos", "Smartphones desbloqueados."),
    ("fones", "Fones e caixas de som", "eletronicos", "Áudio com e sem fio."),
    ("acessorios", "Acessórios", "eletronicos", "Carregadores, cabos e capas."),
    ("beleza", "Beleza", None, "Cosméticos com ingredientes da biodiversidade."),
    ("pele", "Cuidados com a pele", "beleza", "Hidratantes, séruns e protetores."),
    ("cabelos", "Cabelos", "beleza", "Shampoos, condicionadores e máscaras."),
    ("esportes", "Esportes", None, "Equipamentos e roupas para se mexer."),
    ("fitness", "Fitness", "esportes", "Yoga, musculação e hidratação."),
    ("futebol", "Futebol", "esportes", "Bolas, chuteiras e acessórios."),
]

# (slug, name, description)
BRANDS = [
    ("ipe-roxo", "Ipê Roxo", "Moda casual feita no interior de Minas Gerais."),
    ("mare-mansa", "Maré Mansa", "Roupas leves com o clima do litoral baiano."),
    ("passo-leve", "Passo Leve", "Calçados confortáveis de Franca (SP)."),
    ("jacaranda-casa", "Jacarandá Casa", "Decoração com design brasileiro."),
    ("panela-de-barro", "Panela de Barro", "Utensílios de cozinha desde 1987."),
    ("fio-nobre", "Fio Nobre Enxovais", "Enxovais de algodão de Santa Catarina."),
    ("tucano-tech", "Tucano Tech", "Celulares e acessórios montados em Manaus."),
    ("sabia-audio", "Sabiá Áudio", "Fones e caixas de som com som brasileiro."),
    ("flor-de-jambu", "Flor de Jambu", "Cosméticos com ativos da Amazônia."),
    ("buriti", "Buriti Cosméticos", "Cuidados capilares veganos."),
    ("ginga", "Ginga Esportes", "Roupas e acessórios para treinar."),
    ("garra", "Garra Futebol", "Material esportivo para a pelada e o campo."),
]

Value = str | tuple  # "P", or ("GG", price delta) or ("6 kg", delta, weight g)


@dataclass(frozen=True)
class Option:
    name: str
    values: tuple[Value, ...]
    pick: int = 2  # at most this many values per product
    contiguous: bool = False  # sizes: a run of neighbours, not a sample


@dataclass(frozen=True)
class ProductType:
    name: str
    low: int  # price range in reais
    high: int
    weight: int  # grams
    size: tuple[float, float, float]  # length, width, height (cm)
    ncm: str
    blurb: str
    options: tuple[Option, ...] = ()
    spec: tuple[str, str] = ("Garantia", "90 dias contra defeitos de fabricação")
    lines: tuple[str, ...] = ()  # model lines, instead of the category's


@dataclass(frozen=True)
class Leaf:
    path: str
    prefix: str  # SKU prefix
    brands: tuple[str, ...]
    lines: tuple[str, ...]
    tags: tuple[str, ...]
    types: tuple[ProductType, ...] = ()


def cor(*values: str, pick: int = 2) -> Option:
    return Option("Cor", tuple(values), pick=pick)


CLOTHES_COLORS = cor(
    "Preto", "Branco", "Cinza mescla", "Azul-marinho", "Verde-oliva", "Terracota"
)
LETTER_SIZES = Option("Tamanho", ("P", "M", "G", ("GG", 10)), pick=3, contiguous=True)
NUMBER_SIZES = Option("Tamanho", ("38", "40", "42", "44", "46"), 3, contiguous=True)
SHOE_SIZES = Option(
    "Tamanho", ("37", "38", "39", "40", "41", "42", "43"), 3, contiguous=True
)
VOLTAGE = Option("Voltagem", ("127 V", "220 V"))
BED_SIZES = Option(
    "Tamanho", ("Solteiro", ("Casal", 30), ("Queen", 50), ("King", 80)), 3
)
PHONE_COLORS = cor("Preto", "Azul", "Verde", "Prata", "Lilás", pick=3)
AUDIO_COLORS = cor("Preto", "Branco", "Azul", "Rosa", pick=3)
TECH_COLORS = cor("Preto", "Transparente", "Azul", "Vermelho", pick=3)

# One product per product type and line: PRODUCTS_PER_CATEGORY per category.
# ProductType(name, price from, price to, weight g, (length, width, height) cm,
#             NCM, short description, options, specification row[, lines])
# fmt: off
LEAVES = [
    Leaf("moda/camisetas", "CAM", ("ipe-roxo", "mare-mansa"),
         ("Essencial", "Tropical", "Urbana", "Algodão Pima"),
         ("algodão", "básicos", "verão"), (
        ProductType("Camiseta básica", 49, 79, 180, (30, 25, 3), "61091000",
                    "Camiseta de algodão penteado com gola careca e modelagem "
                    "regular.",
                    (CLOTHES_COLORS, LETTER_SIZES), ("Composição", "100% algodão")),
        ProductType("Camiseta estampada", 69, 99, 190, (30, 25, 3), "61091000",
                    "Camiseta com estampa em silk à base d'água, feita para durar.",
                    (CLOTHES_COLORS, LETTER_SIZES), ("Composição", "100% algodão")),
        ProductType("Camisa polo", 99, 159, 240, (32, 26, 4), "61051000",
                    "Polo em malha piquet com botões de madrepérola e punhos "
                    "canelados.",
                    (CLOTHES_COLORS, LETTER_SIZES),
                    ("Composição", "100% algodão piquet")),
        ProductType("Regata", 39, 59, 140, (30, 25, 2), "61091000",
                    "Regata de malha leve, cavas largas e barra reta.",
                    (CLOTHES_COLORS, LETTER_SIZES), ("Composição", "100% algodão")),
    )),
    Leaf("moda/calcas", "CAL", ("ipe-roxo", "mare-mansa"),
         ("Lisboa", "Copacabana", "Pampa", "Cerrado"), ("jeans", "casual"), (
        ProductType("Calça jeans slim", 149, 229, 520, (35, 30, 5), "62034200",
                    "Jeans com elastano, lavagem média e modelagem slim.",
                    (cor("Índigo", "Azul-claro", "Preto"), NUMBER_SIZES),
                    ("Composição", "98% algodão, 2% elastano")),
        ProductType("Calça chino", 129, 189, 450, (35, 30, 5), "62034200",
                    "Calça de sarja com bolsos faca e caimento reto.",
                    (cor("Caqui", "Verde-oliva", "Azul-marinho", "Areia"),
                     NUMBER_SIZES),
                    ("Composição", "97% algodão, 3% elastano")),
        ProductType("Bermuda de sarja", 89, 129, 320, (30, 28, 4), "62034200",
                    "Bermuda de sarja na altura do joelho, com cinco bolsos.",
                    (cor("Caqui", "Azul-marinho", "Preto", "Terracota"),
                     NUMBER_SIZES),
                    ("Composição", "100% algodão")),
        ProductType("Calça jogger", 119, 169, 400, (35, 30, 5), "61034200",
                    "Jogger de moletom flanelado com cordão e punhos nos "
                    "tornozelos.",
                    (cor("Cinza mescla", "Preto", "Verde-oliva"), LETTER_SIZES),
                    ("Composição", "80% algodão, 20% poliéster")),
    )),
    Leaf("moda/calcados", "CAD", ("passo-leve",),
         ("Ventura", "Aurora", "Caiçara", "Sertão"), ("conforto", "calçados"), (
        ProductType("Tênis casual", 179, 279, 780, (33, 21, 12), "64041900",
                    "Tênis de lona com solado de borracha e palmilha anatômica.",
                    (cor("Preto", "Branco", "Azul-marinho", "Off-white"),
                     SHOE_SIZES),
                    ("Solado", "Borracha natural")),
        ProductType("Tênis de corrida", 249, 399, 640, (33, 21, 12), "64041100",
                    "Tênis leve com cabedal em tela respirável e entressola macia.",
                    (cor("Preto", "Cinza", "Azul", "Laranja"), SHOE_SIZES),
                    ("Drop", "8 mm")),
        ProductType("Sandália de couro", 119, 189, 420, (30, 12, 8), "64035900",
                    "Sandália de couro legítimo com fivela ajustável.",
                    (cor("Caramelo", "Preto", "Natural"), SHOE_SIZES),
                    ("Material", "Couro bovino")),
        ProductType("Chinelo", 29, 49, 240, (28, 11, 4), "64022000",
                    "Chinelo de borracha macia com tiras antiderrapantes.",
                    (cor("Preto", "Azul", "Amarelo", "Verde"), SHOE_SIZES),
                    ("Material", "Borracha")),
    )),
    Leaf("casa/cozinha", "COZ", ("panela-de-barro",),
         ("Chef", "Gourmet", "Essencial", "Mineira"), ("cozinha", "presente"), (
        ProductType("Jogo de panelas antiaderente", 249, 499, 4200, (45, 30, 25),
                    "76151000",
                    "Jogo com 5 peças em alumínio, revestimento antiaderente e "
                    "tampas de vidro.",
                    (cor("Vermelho", "Preto", "Grafite", "Creme"),),
                    ("Peças", "5 panelas com tampa")),
        ProductType("Frigideira de inox", 119, 199, 1100, (45, 26, 8), "73239300",
                    "Frigideira de aço inox com fundo triplo, para todos os "
                    "fogões.",
                    (Option("Diâmetro", ("20 cm", ("24 cm", 20), ("28 cm", 40)),
                            3),),
                    ("Material", "Aço inox 18/10")),
        ProductType("Cafeteira italiana", 89, 149, 600, (15, 12, 20), "76151000",
                    "Cafeteira de alumínio polido para o café forte de todo dia.",
                    (Option("Capacidade", ("3 xícaras", ("6 xícaras", 20),
                                           ("9 xícaras", 40)), 3),),
                    ("Material", "Alumínio")),
        ProductType("Liquidificador", 149, 299, 2900, (25, 22, 42), "85094010",
                    "Liquidificador de 900 W com copo de 3 litros e 12 "
                    "velocidades.",
                    (VOLTAGE, cor("Preto", "Branco", "Vermelho")),
                    ("Potência", "900 W")),
    )),
    Leaf("casa/cama-e-banho", "CEB", ("fio-nobre", "jacaranda-casa"),
         ("Nuvem", "Brisa", "Algodão Egípcio", "Conforto"),
         ("enxoval", "algodão"), (
        ProductType("Jogo de lençol 200 fios", 129, 219, 1300, (35, 28, 8),
                    "63023100",
                    "Jogo com lençol de elástico, lençol de cima e duas fronhas.",
                    (BED_SIZES, cor("Branco", "Areia", "Cinza")),
                    ("Fios", "200 fios, percal")),
        ProductType("Toalha de banho", 39, 69, 450, (30, 25, 6), "63026000",
                    "Toalha felpuda de fio penteado, macia e com alta absorção.",
                    (cor("Branco", "Azul", "Verde-água", "Rosé", "Cinza",
                         pick=4),),
                    ("Gramatura", "500 g/m²")),
        ProductType("Edredom", 179, 299, 2400, (50, 40, 20), "94049000",
                    "Edredom de microfibra com enchimento siliconizado.",
                    (BED_SIZES,), ("Enchimento", "Fibra siliconizada")),
        ProductType("Travesseiro", 59, 119, 800, (70, 50, 15), "94049000",
                    "Travesseiro de fibra com capa de algodão e zíper.",
                    (), ("Medidas", "50 × 70 cm")),
    )),
    Leaf("casa/decoracao", "DEC", ("jacaranda-casa",),
         ("Boho", "Terracota", "Minimalista", "Tropical"),
         ("decoração", "presente"), (
        ProductType("Vaso de cerâmica", 49, 129, 900, (20, 20, 25), "69139000",
                    "Vaso de cerâmica esmaltada feito à mão em Cunha (SP).",
                    (Option("Tamanho", ("P", ("M", 30), ("G", 60)), 3),),
                    ("Material", "Cerâmica esmaltada")),
        ProductType("Vela aromática", 39, 79, 350, (10, 10, 12), "34060000",
                    "Vela de cera vegetal em pote de vidro, 40 horas de queima.",
                    (Option("Fragrância", ("Lavanda", "Capim-limão", "Baunilha",
                                           "Alecrim"), 3),),
                    ("Queima", "Cerca de 40 horas")),
        ProductType("Almofada decorativa", 49, 89, 400, (45, 45, 12), "94049000",
                    "Almofada com capa de linho e enchimento de fibra.",
                    (cor("Mostarda", "Terracota", "Verde-musgo", "Cru", pick=3),),
                    ("Medidas", "45 × 45 cm")),
        ProductType("Quadro decorativo", 89, 199, 1500, (72, 52, 4), "49119900",
                    "Quadro com moldura de madeira e impressão em papel fosco.",
                    (Option("Tamanho", ("30 × 40 cm", ("50 × 70 cm", 60))),),
                    ("Moldura", "Madeira de reflorestamento")),
    )),
    Leaf("eletronicos/celulares", "CEL", ("tucano-tech",), (),
         ("5G", "smartphone", "desbloqueado"), (
        ProductType("Smartphone", 899, 1599, 400, (18, 10, 6), "85171300",
                    "Tela de 6,5\", 4 GB de RAM, câmera dupla de 50 MP e bateria "
                    "para o dia inteiro.",
                    (PHONE_COLORS,
                     Option("Armazenamento", ("128 GB", ("256 GB", 300)))),
                    ("Garantia", "1 ano"),
                    lines=("Brisa A15", "Brisa A25", "Brisa A35", "Brisa A55")),
        ProductType("Smartphone 5G", 1599, 2999, 420, (18, 10, 6), "85171300",
                    "Tela AMOLED de 6,6\", câmera tripla de 50 MP e bateria de "
                    "5.000 mAh.",
                    (PHONE_COLORS,
                     Option("Armazenamento", ("128 GB", ("256 GB", 500)))),
                    ("Garantia", "1 ano"),
                    lines=("Nova 12", "Nova 12 Plus", "Nova 13", "Nova 13 Pro")),
        ProductType("Smartphone dobrável", 4999, 7999, 480, (19, 10, 6),
                    "85171300",
                    "Tela dobrável de 7,6\" com 120 Hz, carregamento de 45 W e "
                    "câmera de 200 MP.",
                    (PHONE_COLORS,
                     Option("Armazenamento", ("256 GB", ("512 GB", 700)))),
                    ("Garantia", "1 ano"),
                    lines=("Onda Flip", "Onda Flip 2", "Onda Fold", "Onda Fold 2")),
        ProductType("Celular com teclas grandes", 249, 349, 260, (15, 9, 5),
                    "85171300",
                    "Celular simples com teclas grandes, botão de emergência e "
                    "rádio FM.",
                    (cor("Preto", "Vermelho"),), ("Garantia", "1 ano"),
                    lines=("Fácil", "Fácil Plus", "Fácil 4G", "Fácil Flip")),
    )),
    Leaf("eletronicos/fones", "FON", ("sabia-audio",),
         ("Sabiá", "Sabiá Pro", "Bem-te-vi", "Uirapuru"), ("bluetooth", "áudio"), (
        ProductType("Fone Bluetooth intra-auricular", 149, 399, 120, (10, 8, 4),
                    "85183000",
                    "Fone sem fio com cancelamento de ruído e estojo de recarga.",
                    (AUDIO_COLORS,), ("Bateria", "Até 24 horas com o estojo")),
        ProductType("Headphone Bluetooth", 249, 699, 350, (22, 18, 9), "85183000",
                    "Headphone dobrável com almofadas de espuma viscoelástica.",
                    (AUDIO_COLORS,), ("Bateria", "Até 40 horas")),
        ProductType("Fone com fio", 39, 89, 60, (12, 8, 3), "85183000",
                    "Fone com microfone, controle de volume e conector P2.",
                    (AUDIO_COLORS,), ("Conector", "P2 3,5 mm")),
        ProductType("Caixa de som Bluetooth", 199, 599, 900, (22, 10, 10),
                    "85182200",
                    "Caixa portátil à prova d'água (IPX7) com 20 W de potência.",
                    (AUDIO_COLORS,), ("Proteção", "IPX7")),
    )),
    Leaf("eletronicos/acessorios", "ACE", ("tucano-tech",),
         ("Volt", "Volt Max", "Essencial", "Flex"), ("acessórios", "celular"), (
        ProductType("Carregador turbo USB-C", 59, 129, 120, (10, 6, 4), "85044010",
                    "Carregador de parede bivolt com entrega de energia (PD).",
                    (Option("Potência", ("20 W", ("33 W", 20), ("65 W", 60)), 3),),
                    ("Entrada", "Bivolt 100–240 V")),
        ProductType("Cabo USB-C", 29, 59, 60, (12, 8, 2), "85444200",
                    "Cabo trançado de nylon, reforçado nas pontas.",
                    (Option("Comprimento", ("1 m", ("2 m", 10))),
                     cor("Preto", "Branco")),
                    ("Material", "Nylon trançado")),
        ProductType("Capa para celular", 39, 79, 50, (18, 10, 2), "39269090",
                    "Capa de silicone com proteção de câmera e bordas elevadas.",
                    (TECH_COLORS,), ("Material", "Silicone")),
        ProductType("Power bank", 99, 249, 300, (15, 8, 3), "85076000",
                    "Bateria portátil com duas saídas USB e indicador de carga.",
                    (Option("Capacidade", (("10.000 mAh", 0, 220),
                                           ("20.000 mAh", 60, 380))),),
                    ("Saídas", "USB-A e USB-C")),
    )),
    Leaf("beleza/pele", "PEL", ("flor-de-jambu", "buriti"),
         ("Açaí", "Cupuaçu", "Castanha", "Jambu"), ("vegano", "skincare"), (
        ProductType("Hidratante facial", 39, 99, 80, (6, 6, 10), "33049910",
                    "Hidratante de textura leve, absorção rápida e toque seco.",
                    (Option("Volume", ("30 ml", ("50 ml", 20))),),
                    ("Tipo de pele", "Todos os tipos")),
        ProductType("Protetor solar FPS 50", 49, 89, 140, (5, 4, 15), "33049990",
                    "Protetor solar com cor, resistente à água e ao suor.",
                    (Option("Tom", ("Claro", "Médio", "Escuro"), 3),),
                    ("Proteção", "FPS 50, PPD 17")),
        ProductType("Sérum de vitamina C", 69, 149, 60, (4, 4, 11), "33049990",
                    "Sérum antioxidante com 10% de vitamina C estabilizada.",
                    (Option("Volume", ("15 ml", ("30 ml", 40))),),
                    ("Concentração", "10% de vitamina C")),
        ProductType("Sabonete facial", 24, 44, 160, (5, 5, 15), "34013000",
                    "Gel de limpeza suave que não resseca a pele.",
                    (Option("Volume", ("150 ml", ("300 ml", 15))),),
                    ("Tipo de pele", "Mista a oleosa")),
    )),
    Leaf("beleza/cabelos", "CAB", ("buriti", "flor-de-jambu"),
         ("Murumuru", "Pracaxi", "Babaçu", "Andiroba"), ("vegano", "cabelos"), (
        ProductType("Shampoo", 29, 59, 280, (6, 4, 18), "33051000",
                    "Shampoo sem sulfato que limpa sem ressecar os fios.",
                    (Option("Volume", (("250 ml", 0, 280), ("500 ml", 20, 540))),),
                    ("Indicação", "Todos os tipos de cabelo")),
        ProductType("Condicionador", 29, 59, 280, (6, 4, 18), "33059000",
                    "Condicionador que desembaraça, nutre e reduz o frizz.",
                    (Option("Volume", (("250 ml", 0, 280), ("500 ml", 20, 540))),),
                    ("Indicação", "Todos os tipos de cabelo")),
        ProductType("Máscara capilar", 39, 79, 300, (9, 9, 8), "33059000",
                    "Máscara de hidratação profunda para uso semanal.",
                    (Option("Peso", (("250 g", 0, 300), ("500 g", 25, 560))),),
                    ("Uso", "Uma vez por semana")),
        ProductType("Óleo capilar", 34, 69, 110, (4, 4, 12), "33059000",
                    "Óleo finalizador que dá brilho e protege do calor.",
                    (), ("Volume", "60 ml")),
    )),
    Leaf("esportes/fitness", "FIT", ("ginga",),
         ("Ginga", "Movimento", "Foco", "Energia"), ("treino", "academia"), (
        ProductType("Tapete de yoga", 79, 159, 1200, (62, 12, 12), "95069100",
                    "Tapete antiderrapante de 6 mm com alça para transporte.",
                    (cor("Roxo", "Verde", "Azul", "Preto", pick=3),),
                    ("Espessura", "6 mm")),
        ProductType("Halter emborrachado", 39, 69, 2200, (25, 10, 10), "95069100",
                    "Halter de ferro revestido de borracha, o par.",
                    (Option("Peso", (("2 kg", 0, 4200), ("4 kg", 40, 8200),
                                     ("6 kg", 80, 12200)), 3),),
                    ("Conteúdo", "1 par")),
        ProductType("Garrafa térmica", 59, 119, 380, (8, 8, 27), "96170010",
                    "Garrafa de aço inox que mantém a água gelada por 24 horas.",
                    (Option("Capacidade", ("500 ml", ("750 ml", 15), ("1 l", 30))),
                     cor("Preto", "Branco", "Verde-água")),
                    ("Material", "Aço inox de parede dupla")),
        ProductType("Legging esportiva", 89, 149, 220, (30, 22, 3), "61046300",
                    "Legging de cintura alta com tecido de compressão e proteção "
                    "UV.",
                    (cor("Preto", "Azul-marinho", "Vinho", "Verde-oliva"),
                     LETTER_SIZES),
                    ("Composição", "88% poliamida, 12% elastano")),
    )),
    Leaf("esportes/futebol", "FUT", ("garra", "ginga"),
         ("Canarinho", "Várzea", "Arena", "Craque"), ("futebol", "pelada"), (
        ProductType("Bola de futebol de campo", 99, 249, 430, (23, 23, 23),
                    "95066200",
                    "Bola termossoldada com 12 gomos, tamanho oficial.",
                    (cor("Branco e azul", "Amarelo e verde", "Branco e preto",
                         pick=3),),
                    ("Tamanho", "Oficial (nº 5)")),
        ProductType("Chuteira society", 179, 349, 600, (33, 21, 12), "64021900",
                    "Chuteira com cabedal sintético e travas baixas para grama "
                    "sintética.",
                    (cor("Preto", "Branco", "Laranja"), SHOE_SIZES),
                    ("Solado", "Borracha com travas baixas")),
        ProductType("Camisa de treino", 79, 129, 170, (30, 25, 2), "61099000",
                    "Camisa de tecido com tecnologia de secagem rápida.",
                    (cor("Amarelo", "Azul", "Branco"), LETTER_SIZES),
                    ("Composição", "100% poliéster")),
        ProductType("Caneleira", 39, 79, 200, (22, 12, 6), "95069900",
                    "Caneleira com concha de polipropileno e espuma de proteção.",
                    (Option("Tamanho", ("P", "M", "G"), 3, contiguous=True),),
                    ("Material", "Polipropileno e EVA")),
    )),
]
# fmt: on

# Base colours (hue) of each top-level category, for the generated images.
HUES = {
    "moda": 0.95,
    "casa": 0.33,
    "eletronicos": 0.58,
    "beleza": 0.82,
    "esportes": 0.10,
}


# -- helpers ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii())


def _ascii(text: str) -> str:
    return "".join(c for c in _fold(text) if c.isalnum()).upper()


STOPWORDS = {"de", "da", "do", "com", "para", "e"}


def _initials(name: str) -> str:
    words = [w for w in name.split() if len(w) > 1 and w.lower() not in STOPWORDS]
    return "".join(w[0] for w in words[:2]).upper() or name[:2].upper()


def _price(value: float) -> Decimal:
    """A shelf price: 137,90 below a thousand reais, 1.899,00 above."""
    if value >= 1000:
        return Decimal(int(value // 100) * 100 - 1)
    return Decimal(int(value)) + Decimal("0.90")


def _br(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _value(value: Value) -> tuple[str, int, int | None]:
    if isinstance(value, str):
        return value, 0, None
    name, delta, *weight = value
    return name, delta, weight[0] if weight else None


def _pick(rng: random.Random, option: Option, count: int) -> list[Value]:
    values = list(option.values)
    if option.contiguous:
        start = rng.randrange(len(values) - count + 1)
        return values[start : start + count]
    chosen = set(rng.sample(range(len(values)), count))
    return [v for i, v in enumerate(values) if i in chosen]


def _combinations(rng: random.Random, options: tuple[Option, ...]):
    """Option values for 1–6 variants: a few values of each option."""
    counts = [
        rng.randint(min(2 if o.contiguous else 1, o.pick), min(o.pick, len(o.values)))
        for o in options
    ]
    while math.prod(counts) > MAX_VARIANTS:
        counts[counts.index(max(counts))] -= 1
    picked = [_pick(rng, o, n) for o, n in zip(options, counts, strict=True)]
    combos: list[tuple] = [()]
    for values in picked:
        combos = [(*combo, value) for combo in combos for value in values]
    return combos


@dataclass
class DemoProduct:
    slug: str
    name: str
    leaf: Leaf
    type: ProductType
    line: str
    brand: str
    rows: list[dict]

    @property
    def on_sale(self) -> bool:
        return any(row["compare_at_price"] for row in self.rows)


def demo_products() -> list[DemoProduct]:
    """The demo catalog, the same on every call (seeded)."""
    rng = random.Random(SEED)  # noqa: S311  (demo data, not secrets)
    products: list[DemoProduct] = []
    serial = 0
    for leaf in LEAVES:
        pairs = [(t, line) for t in leaf.types for line in t.lines or leaf.lines]
        for number, (kind, line) in enumerate(pairs[:PRODUCTS_PER_CATEGORY], 1):
            name = f"{kind.name} {line}"
            brand = leaf.brands[(number - 1) % len(leaf.brands)]
            base = rng.uniform(kind.low, kind.high)
            on_sale = rng.random() < 0.35
            factor = rng.uniform(1.15, 1.5)
            margin = rng.uniform(0.38, 0.58)
            tags = rng.sample(leaf.tags, rng.randint(1, min(2, len(leaf.tags))))
            rows = []
            skus = set()
            for combo in _combinations(rng, kind.options):
                serial += 1
                values = [_value(v) for v in combo]
                delta = sum(d for _n, d, _w in values)
                price = _price(base + delta)
                compare = _price(float(price) * factor) if on_sale else None
                if compare is not None and compare <= price:
                    compare = price + Decimal(10)
                weights = [w for _n, _d, w in values if w]
                sku = "-".join(
                    [leaf.prefix, f"{number:03d}", *(_ascii(n)[:8] for n, *_ in values)]
                )
                if sku in skus:
                    raise DemoDataError(f"SKU {sku} repeats in the demo catalog.")
                skus.add(sku)
                body = f"{GTIN_PREFIX}{serial:07d}"
                length, width, height = kind.size
                rows.append(
                    {
                        "sku": sku,
                        "option1": values[0][0] if len(values) > 0 else "",
                        "option2": values[1][0] if len(values) > 1 else "",
                        "option3": values[2][0] if len(values) > 2 else "",
                        "price": price,
                        "compare_at_price": compare,
                        "cost_price": (price * Decimal(str(round(margin, 2)))).quantize(
                            Decimal("0.01"), ROUND_HALF_UP
                        ),
                        "gtin": body + str(gtin_check_digit(body)),
                        "weight_grams": weights[0] if weights else kind.weight,
                        "length_cm": float(length),
                        "width_cm": float(width),
                        "height_cm": float(height),
                        "ncm": kind.ncm,
                        "origin": "0",
                        "active": "sim",
                    }
                )
            option_names = [o.name for o in kind.options]
            for row in rows:
                row.update(
                    product_slug=slugify(name),
                    product_name=name,
                    brand=brand,
                    primary_category=leaf.path,
                    categories="",
                    short_description=f"{kind.blurb} Linha {line}.",
                    tags="|".join(tags),
                    option1_name=option_names[0] if len(option_names) > 0 else "",
                    option2_name=option_names[1] if len(option_names) > 1 else "",
                    option3_name=option_names[2] if len(option_names) > 2 else "",
                    seo_title=f"{name} | Loja Retaguarda"[:70],
                    search_description=f"{kind.blurb} Linha {line}."[:160],
                )
            products.append(
                DemoProduct(
                    slugify(name),
                    name,
                    leaf,
                    kind,
                    line,
                    brand,
                    rows,
                )
            )
    slugs = [p.slug for p in products]
    if len(slugs) != len(set(slugs)):
        raise DemoDataError("Demo product slugs repeat.")
    return products


def catalog_csv(products: list[DemoProduct]) -> bytes:
    """The products in the catalog sheet format (semicolons, decimal commas)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for product in products:
        for row in product.rows:
            writer.writerow([_br(row[column]) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


# -- images ----------------------------------------------------------------------------


def _rgb(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


@dataclass(frozen=True)
class ImageSpec:
    title: str
    filename: str
    text: str
    hue: float
    size: tuple[int, int]
    caption: str = ""
    dark: bool = False


# System fonts with accented letters; Pillow's built-in font lacks them.
FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "DejaVuSans.ttf")


def _font(size: int):
    """A font and whether it draws accents (else text is folded to ASCII)."""
    from PIL import ImageFont

    for name in FONTS:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def _draw(spec: ImageSpec) -> bytes:
    """A gradient in the spec's hue with its initials and caption."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageOps

    width, height = spec.size
    hue = spec.hue
    light, dark = (0.22, 0.05) if spec.dark else (0.72, 0.38)
    gradient = PILImage.linear_gradient("L").resize((width, height))
    picture = ImageOps.colorize(
        gradient, _rgb(hue, light, 0.55), _rgb(hue + 0.06, dark, 0.6)
    )
    draw = ImageDraw.Draw(picture)
    font, accents = _font(int(min(width, height) * 0.4))
    center = (width // 2, height // 2)
    draw.text(
        (center[0] + 6, center[1] + 6),
        spec.text,
        font=font,
        fill=(0, 0, 0),
        anchor="mm",
    )
    draw.text(center, spec.text, font=font, fill=(255, 255, 255), anchor="mm")
    if spec.caption:
        size = int(min(width, height) * 0.07)
        small, accents = _font(size)
        caption = spec.caption if accents else _fold(spec.caption)
        while size > 12 and small.getlength(caption) > width * 0.9:
            size = int(size * 0.9)
            small, accents = _font(size)
        draw.text(
            (width // 2, int(height * 0.85)),
            caption,
            font=small,
            fill=(255, 255, 255) if not spec.dark else (255, 204, 0),
            anchor="mm",
        )
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=82)
    return out.getvalue()


def image_specs() -> list[ImageSpec]:
    specs = []
    for leaf in LEAVES:
        root = leaf.path.split("/")[0]
        for index, kind in enumerate(leaf.types):
            specs.append(
                ImageSpec(
                    f"{kind.name} – foto de demonstração",
                    f"demo-{slugify(kind.name)}.jpg",
                    _initials(kind.name),
                    HUES[root] + 0.03 * index,
                    (800, 800),
                    kind.name,
                )
            )
    for index, (slug, name, _description) in enumerate(BRANDS):
        specs.append(
            ImageSpec(
                f"Logo {name}",
                f"demo-logo-{slug}.jpg",
                _initials(name) if len(name.split()) > 1 else name[:2].upper(),
                index / len(BRANDS),
                (400, 400),
            )
        )
    specs.append(
        ImageSpec(
            "Destaque da página inicial",
            "demo-hero-inicio.jpg",
            "LR",
            0.55,
            (1600, 600),
            "Loja Retaguarda",
        )
    )
    specs.append(
        ImageSpec(
            "Banner Black Friday",
            "demo-banner-black-friday.jpg",
            "BF",
            0.0,
            (1600, 600),
            "Black Friday: até 40% off",
            dark=True,
        )
    )
    return specs


def ensure_images() -> dict[str, object]:
    """Wagtail images by title, drawing the missing ones."""
    Image = get_image_model()
    specs = image_specs()
    existing = {
        image.title: image
        for image in Image.objects.filter(title__in=[s.title for s in specs])
    }
    for spec in specs:
        if spec.title in existing:
            continue
        data = _draw(spec)
        image = Image(
            title=spec.title,
            file=ImageFile(io.BytesIO(data), name=spec.filename),
            width=spec.size[0],
            height=spec.size[1],
        )
        image._set_image_file_metadata()
        image.save()
        existing[spec.title] = image
    return existing


def _type_image(images, kind: ProductType):
    return images[f"{kind.name} – foto de demonstração"]


# -- catalog objects -------------------------------------------------------------------


def _publish_new(obj, user) -> None:
    """First revision of a new snippet, published, logged as a creation."""
    obj.save_revision(user=user, log_action="wagtail.create").publish(user=user)


def ensure_categories(user, images) -> dict[str, Category]:
    by_path = {c.path: c for c in Category.objects.all()}
    position = 0
    for slug, name, parent_slug, description in CATEGORIES:
        position += 1
        path = f"{parent_slug}/{slug}" if parent_slug else slug
        if path in by_path:
            continue
        category = Category(
            name=name,
            slug=slug,
            parent=by_path[parent_slug] if parent_slug else None,
            position=position,
            description=f"<p>{description}</p>",
            seo_title=f"{name} | Loja Retaguarda",
            search_description=description,
        )
        leaf = next((leaf for leaf in LEAVES if leaf.path == path), None)
        if leaf is not None:
            category.image = _type_image(images, leaf.types[0])
        category.save()
        _publish_new(category, user)
        by_path[path] = category
    return by_path


def ensure_brands(user, images) -> dict[str, Brand]:
    by_slug = {b.slug: b for b in Brand.objects.filter(slug__in=[b[0] for b in BRANDS])}
    for slug, name, description in BRANDS:
        if slug in by_slug:
            continue
        brand = Brand(
            name=name,
            slug=slug,
            description=f"<p>{description}</p>",
            logo=images[f"Logo {name}"],
        )
        brand.save()
        _publish_new(brand, user)
        by_slug[slug] = brand
    return by_slug


def import_products(user, products: list[DemoProduct]) -> list[int]:
    """Import the products not in the database yet; returns their ids."""
    from content.importing.importer import run_import

    slugs = [p.slug for p in products]
    existing = set(
        Product.objects.filter(slug__in=slugs).values_list("slug", flat=True)
    )
    skus = {row["sku"] for p in products for row in p.rows}
    taken = set(Variant.objects.filter(sku__in=skus).values_list("sku", flat=True))
    missing = [
        p
        for p in products
        if p.slug not in existing and not any(row["sku"] in taken for row in p.rows)
    ]
    if not missing:
        return []
    report = run_import(catalog_csv(missing), user=user, dry_run=False, publish=True)
    if report.file_error or report.error_count or not report.committed:
        details = report.file_error or "; ".join(
            f"linha {e['row']}, {e['column']}: {e['message']}"
            for e in report.errors[:10]
        )
        raise DemoDataError(
            f"A importação do catálogo de demonstração falhou: {details}"
        )
    return report.product_ids


COLLECTIONS = [
    ("mais-vendidos", "Mais vendidos", "Os queridinhos dos nossos clientes.", 12),
    ("lancamentos", "Lançamentos", "Acabou de chegar na loja.", 12),
    ("black-friday", "Black Friday", "Ofertas com até 40% de desconto.", 16),
]


def _collection_products(slug: str, products: list[DemoProduct]) -> list[str]:
    rng = random.Random(f"{SEED}-{slug}")  # noqa: S311  (demo data)
    on_sale = slug == "black-friday"
    pool = [p.slug for p in products if p.on_sale or not on_sale]
    return rng.sample(pool, min(len(pool), 24))


def imaged_products(products: list[DemoProduct]) -> dict[str, DemoProduct]:
    """The products that get photos: the first few of each category and the
    products of the collections."""
    by_slug = {p.slug: p for p in products}
    chosen: dict[str, DemoProduct] = {}
    per_leaf: dict[str, int] = {}
    for product in products:
        if per_leaf.get(product.leaf.path, 0) < IMAGED_PER_CATEGORY:
            per_leaf[product.leaf.path] = per_leaf.get(product.leaf.path, 0) + 1
            chosen[product.slug] = product
    for slug, _name, _description, size in COLLECTIONS:
        for product_slug in _collection_products(slug, products)[:size]:
            chosen[product_slug] = by_slug[product_slug]
    return chosen


def attach_images(user, products: list[DemoProduct], images) -> int:
    """Photos and a description for some products (see imaged_products), as a
    new published revision of each (only products without photos yet)."""
    chosen = imaged_products(products)
    queryset = (
        Product.objects.filter(slug__in=list(chosen), images__isnull=True)
        .select_related("brand")
        .prefetch_related("variants", "categories", "tagged_items__tag")
    )
    count = 0
    for product in queryset:
        demo = chosen[product.slug]
        product.images = [
            ProductImage(image=_type_image(images, demo.type), alt=product.name)
        ]
        label, value = demo.type.spec
        product.description = [
            {
                "type": "rich_text",
                "value": f"<p>{demo.type.blurb}</p><p>Linha {demo.line}, "
                f"da {product.brand.name if product.brand else 'Loja Retaguarda'}."
                "</p>",
            },
            {
                "type": "specifications",
                "value": [
                    {"label": label, "value": value},
                    {"label": "Origem", "value": "Nacional"},
                ],
            },
        ]
        revision = product.save_revision(user=user, log_action=True)
        revision.publish(user=user)
        count += 1
    return count


def ensure_collections(user, products: list[DemoProduct]) -> dict[str, Collection]:
    by_slug = {
        c.slug: c
        for c in Collection.objects.filter(slug__in=[c[0] for c in COLLECTIONS])
    }
    for slug, name, description, size in COLLECTIONS:
        if slug in by_slug:
            continue
        wanted = _collection_products(slug, products)
        ids = dict(
            Product.objects.filter(slug__in=wanted, live=True).values_list("slug", "pk")
        )
        ordered = [ids[s] for s in wanted if s in ids][:size]
        collection = Collection(
            name=name, slug=slug, description=f"<p>{description}</p>"
        )
        collection.items = [
            CollectionProduct(product_id=pk, sort_order=index)
            for index, pk in enumerate(ordered)
        ]
        collection.save()
        _publish_new(collection, user)
        by_slug[slug] = collection
    return by_slug


# -- pages -----------------------------------------------------------------------------

BASE_URL = "https://loja.retaguarda.local"


def _image_block(image, alt: str) -> dict:
    return {"image": image.pk, "alt_text": alt, "decorative": False}


def _grid(title: str, collection: Collection, limit: int = 12) -> dict:
    return {
        "type": "product_grid",
        "value": {
            "title": title,
            "source": "collection",
            "category": None,
            "collection": collection.pk,
            "products": [],
            "limit": limit,
        },
    }


FAQ = [
    (
        "Qual é o prazo de entrega?",
        "Capitais do Sul e do Sudeste recebem em até 3 dias úteis; demais "
        "regiões, em até 8 dias úteis. O prazo exato aparece no carrinho, pelo CEP.",
    ),
    (
        "Quais são as formas de pagamento?",
        "Pix (com 5% de desconto), boleto bancário e cartão de crédito em até "
        "10 vezes sem juros.",
    ),
    (
        "Como faço para trocar um produto?",
        "Você tem 30 dias após o recebimento para trocar. Solicite pela área "
        "“Meus pedidos” e leve o produto a uma agência dos Correios.",
    ),
    (
        "Vocês emitem nota fiscal?",
        "Sim. A NF-e é enviada por e-mail assim que o pedido é faturado.",
    ),
    (
        "Posso retirar na loja?",
        "Sim, em São Paulo (Consolação), sem custo, a partir de 2 horas úteis "
        "após a confirmação do pagamento.",
    ),
]

CONTENT_PAGES = [
    (
        "sobre-nos",
        "Sobre nós",
        "Uma loja brasileira que junta marcas independentes de todo o país.",
        [
            "<h2>Nossa história</h2><p>A Loja Retaguarda nasceu em 2019 em São "
            "Paulo, com a ideia de reunir num só lugar marcas independentes de "
            "moda, casa, tecnologia, beleza e esportes.</p><p>Hoje trabalhamos com "
            "fornecedores de oito estados e entregamos em todo o Brasil.</p>"
        ],
    ),
    (
        "trocas-e-devolucoes",
        "Política de trocas e devoluções",
        "Trocas grátis em até 30 dias, devolução em até 7 dias.",
        [
            "<h2>Direito de arrependimento</h2><p>Conforme o artigo 49 do Código "
            "de Defesa do Consumidor, você pode desistir da compra em até 7 dias "
            "corridos após o recebimento, com reembolso integral.</p>"
            "<h2>Trocas</h2><p>Trocas por tamanho ou cor são gratuitas em até 30 "
            "dias. O produto deve estar sem uso e com a etiqueta.</p>"
            "<h2>Reembolso</h2><p>Pagamentos por Pix e boleto são reembolsados "
            "na conta indicada em até 5 dias úteis; no cartão, o estorno aparece "
            "em até duas faturas.</p>"
        ],
    ),
    (
        "privacidade",
        "Política de privacidade",
        "Como tratamos os seus dados pessoais, conforme a LGPD.",
        [
            "<h2>Dados que coletamos</h2><p>Nome, CPF, endereço, e-mail e telefone, "
            "para entregar pedidos e emitir notas fiscais (Lei nº 13.709/2018, "
            "LGPD).</p><h2>Seus direitos</h2><p>Você pode pedir acesso, correção "
            "ou exclusão dos seus dados pelo e-mail do encarregado: "
            "privacidade@retaguarda.local.</p>"
        ],
    ),
    (
        "termos-de-uso",
        "Termos de uso",
        "As regras de uso da loja e das compras.",
        [
            "<p>Ao comprar na Loja Retaguarda, você concorda com estes termos. "
            "Preços e estoque podem mudar sem aviso; o preço válido é o do "
            "momento da finalização do pedido.</p>"
        ],
    ),
]


def _replace_welcome_page(home: HomePage, site: Site | None) -> None:
    """Make ``home`` the default site's root and remove Wagtail's welcome page."""
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Loja Retaguarda",
        )
        return
    old = site.root_page
    site.root_page = home
    site.site_name = site.site_name or "Loja Retaguarda"
    site.save()
    page_type = ContentType.objects.get_for_model(Page)
    is_welcome = (
        old.pk != home.pk
        and old.content_type_id == page_type.pk
        and old.depth == 2
        and old.numchild == 0
        and not Site.objects.filter(root_page=old).exists()
    )
    if is_welcome:
        old.delete()


def ensure_home(user, images, collections) -> HomePage:
    """The storefront's home page, created on the first run as the default
    site's root in place of Wagtail's welcome page. Later runs leave the site
    as they find it."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = (
        HomePage.objects.filter(depth=2, slug="home").first()
        or HomePage.objects.filter(depth=2).order_by("pk").first()
    )
    if home is None:
        root = Page.get_first_root_node()
        slug_taken = root.get_children().filter(slug="home").exists()
        home = HomePage(
            title="Loja Retaguarda",
            slug="loja-retaguarda" if slug_taken else "home",
            seo_title="Loja Retaguarda – moda, casa, tecnologia e mais",
            search_description="Marcas brasileiras independentes, com entrega "
            "para todo o Brasil e pagamento por Pix, boleto ou cartão.",
            owner=user,
            body=[
                {
                    "type": "hero",
                    "value": {
                        "title": "Do Oiapoque ao Chuí, na sua porta",
                        "subtitle": "Frete grátis acima de R$ 199 e 5% de "
                        "desconto no Pix.",
                        "image": _image_block(
                            images["Destaque da página inicial"],
                            "Loja Retaguarda",
                        ),
                        "button_text": "Ver ofertas",
                        "button_link": f"{BASE_URL}/black-friday/",
                    },
                },
                _grid("Mais vendidos", collections["mais-vendidos"]),
                _grid("Lançamentos", collections["lancamentos"], limit=8),
            ],
        )
        root.add_child(instance=home)
        _replace_welcome_page(home, site)
        if home.slug != "home" and not root.get_children().filter(slug="home").exists():
            home.slug = "home"
            home.save()
        home.save_revision(user=user, log_action="wagtail.create").publish(user=user)
    elif site is None:
        _replace_welcome_page(home, None)
    return home


def _child(home: HomePage, page: Page, user) -> Page:
    home.add_child(instance=page)
    page.save_revision(user=user, log_action="wagtail.create").publish(user=user)
    return page


def ensure_pages(user, home: HomePage, images, collections) -> dict[str, Page]:
    children = {page.slug: page for page in home.get_children().specific()}
    for slug, title, intro, paragraphs in CONTENT_PAGES:
        if slug in children:
            continue
        children[slug] = _child(
            home,
            ContentPage(
                title=title,
                slug=slug,
                intro=intro,
                owner=user,
                body=[{"type": "rich_text", "value": p} for p in paragraphs],
            ),
            user,
        )
    if "perguntas-frequentes" not in children:
        children["perguntas-frequentes"] = _child(
            home,
            ContentPage(
                title="Perguntas frequentes",
                slug="perguntas-frequentes",
                intro="Entrega, pagamento, trocas e nota fiscal.",
                owner=user,
                body=[
                    {
                        "type": "faq",
                        "value": {
                            "title": "Dúvidas mais comuns",
                            "items": [
                                {"question": q, "answer": f"<p>{a}</p>"} for q, a in FAQ
                            ],
                        },
                    }
                ],
            ),
            user,
        )
    if "black-friday" not in children:
        children["black-friday"] = _child(
            home,
            LandingPage(
                title="Black Friday",
                slug="black-friday",
                owner=user,
                search_description="Até 40% de desconto em moda, casa, "
                "eletrônicos, beleza e esportes.",
                body=[
                    {
                        "type": "hero",
                        "value": {
                            "title": "Black Friday Retaguarda",
                            "subtitle": "Até 40% off e parcelamento em 10x sem juros.",
                            "image": None,
                            "button_text": "Aproveitar",
                            "button_link": f"{BASE_URL}/black-friday/#ofertas",
                        },
                    },
                    {
                        "type": "banner",
                        "value": {
                            "image": _image_block(
                                images["Banner Black Friday"], "Black Friday"
                            ),
                            "link": f"{BASE_URL}/black-friday/#ofertas",
                        },
                    },
                    _grid("Ofertas", collections["black-friday"], limit=16),
                ],
            ),
            user,
        )
    return children


def demo_cnpj(root: str = CNPJ_ROOT) -> str:
    """A CNPJ with valid check digits for the fictional head office."""
    body = f"{root}0001"
    for digits in range(100):
        candidate = f"{body}{digits:02d}"
        if is_valid_cnpj(candidate):
            return candidate
    raise AssertionError("unreachable: one pair of check digits is valid")


def ensure_store_settings(site: Site, pages: dict[str, Page]) -> StoreSettings:
    """Fill the site's store settings, unless someone already did (CNPJ set)."""
    store = StoreSettings.for_site(site)
    if store.cnpj:
        return store
    store.store_name = store.store_name or "Loja Retaguarda"
    store.cnpj = demo_cnpj()
    store.email = "atendimento@retaguarda.local"
    store.phone = "(11) 4002-8922"
    store.whatsapp = "(11) 98765-4321"
    store.address = (
        "Rua Augusta, 1500, sala 12 – Consolação\nSão Paulo – SP\nCEP 01304-001"
    )
    store.instagram = "https://www.instagram.com/lojaretaguarda"
    store.facebook = "https://www.facebook.com/lojaretaguarda"
    store.tiktok = "https://www.tiktok.com/@lojaretaguarda"
    store.youtube = "https://www.youtube.com/@lojaretaguarda"
    store.privacy_policy_page = pages.get("privacidade")
    store.returns_policy_page = pages.get("trocas-e-devolucoes")
    store.terms_page = pages.get("termos-de-uso")
    store.full_clean()
    store.save()
    return store


# -- moderation ------------------------------------------------------------------------


def ensure_workflow(home: HomePage) -> Workflow:
    """Moderation by the content moderators for the catalog snippets and the
    storefront pages. Assignments someone changed are left alone."""
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    group = role_group("content_moderator")
    if group is not None and not task.groups.exists():
        task.groups.add(group)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(
            workflow=workflow, task=task, sort_order=workflow.workflow_tasks.count()
        )
    for model in (Product, Category, Brand, Collection):
        content_type = ContentType.objects.get_for_model(
            model, for_concrete_model=False
        )
        WorkflowContentType.objects.get_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )
    WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
    return workflow


# -- the hook --------------------------------------------------------------------------


def demo_user():
    """The administrator seed_demo created, or any superuser (one is created
    when there is none)."""
    User = get_user_model()
    user = (
        User.objects.filter(username="admin", is_superuser=True).first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        user = User(
            username="admin",
            email="admin@demo.retaguarda.local",
            is_staff=True,
            is_superuser=True,
        )
        user.set_unusable_password()
        user.save()
    return user


def _refresh_search_index(product_ids: list[int]) -> None:
    """Index the imported products now: the demo has no task worker running."""
    from content.tasks import refresh_product_indexes

    if product_ids:
        refresh_product_indexes.call(list(product_ids))


def seed_demo_catalog(*, stdout) -> None:
    """Create the demo catalog, storefront pages, store settings and workflow."""
    with transaction.atomic():
        user = demo_user()
        images = ensure_images()
        ensure_categories(user, images)
        ensure_brands(user, images)
        products = demo_products()
        imported = import_products(user, products)
        attach_images(user, products, images)
        _refresh_search_index(imported)
        collections = ensure_collections(user, products)
        home = ensure_home(user, images, collections)
        pages = ensure_pages(user, home, images, collections)
        site = Site.objects.get(is_default_site=True)
        ensure_store_settings(site, pages)
        ensure_workflow(home)

    demo_slugs = [p.slug for p in products]
    stdout.write(
        "Catálogo de demonstração: "
        f"{Product.objects.filter(slug__in=demo_slugs).count()} produtos, "
        f"{Variant.objects.filter(product__slug__in=demo_slugs).count()} variantes, "
        f"{Category.objects.count()} categorias, {Brand.objects.count()} marcas, "
        f"{Collection.objects.count()} vitrines, "
        f"{len(images)} imagens, {1 + len(pages)} páginas"
    )
