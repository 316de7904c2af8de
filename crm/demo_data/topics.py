"""Research fields of the demo university, and what companies in each industry want from them.

Every field has: the department that works on it, lab names, researcher keywords, company
interests (企業ニーズ, Japanese, English and mixed, as officers actually type them) and research
seeds (研究シーズ: Japanese and English titles) with sentences to build abstracts from.
"""

from __future__ import annotations

#: (code, Japanese name, English name)
DEPARTMENTS = [
    ("ENG", "工学研究科", "School of Engineering"),
    ("SCI", "理学研究科", "Graduate School of Science"),
    ("MED", "医学系研究科", "Graduate School of Medicine"),
    ("PHA", "薬学研究科", "Graduate School of Pharmaceutical Sciences"),
    ("AGR", "農学研究科", "Graduate School of Agricultural Science"),
    ("INF", "情報科学研究科", "Graduate School of Information Sciences"),
    ("ENV", "環境科学研究科", "Graduate School of Environmental Studies"),
    ("DEN", "歯学研究科", "Graduate School of Dentistry"),
    ("LIF", "生命科学研究科", "Graduate School of Life Sciences"),
    ("IMR", "金属材料研究所", "Institute for Materials Research"),
    ("ECO", "経済学研究科", "Graduate School of Economics and Management"),
]

FIELDS: dict[str, dict] = {
    "power": {
        "dept": "ENG",
        "labs": [
            ("パワーエレクトロニクス研究室", "Power Electronics Lab"),
            ("電力変換システム研究室", "Power Conversion Systems Lab"),
        ],
        "keywords": [
            "パワー半導体",
            "SiC",
            "GaN",
            "インバータ",
            "熱マネジメント",
            "power electronics",
            "wireless power transfer",
        ],
        "interests": [
            "SiC パワー半導体の熱マネジメント",
            "GaN デバイスの高周波スイッチング評価",
            "EV 用インバータの小型・高効率化",
            "wide-bandgap power modules for traction inverters",
            "ワイヤレス給電（WPT）の実用化",
            "パワーモジュール実装の信頼性（パワーサイクル試験）",
        ],
        "seeds": [
            (
                "SiC パワーモジュールの高放熱・高信頼実装技術",
                "High-reliability packaging with low thermal resistance for SiC power modules",
            ),
            (
                "GaN HEMT を用いた MHz 級スイッチング電源",
                "MHz-class switching converters using GaN HEMTs",
            ),
            ("走行中ワイヤレス給電システム", "Dynamic wireless power transfer for moving vehicles"),
            (
                "パワーサイクル寿命の高速予測手法",
                "Fast lifetime prediction of power cycling in power modules",
            ),
            (
                "Gate driver with active dv/dt control for EMI reduction",
                "Gate driver with active dv/dt control for EMI reduction",
            ),
            (
                "直流マイクログリッド用双方向 DC-DC コンバータ",
                "Bidirectional DC-DC converters for DC microgrids",
            ),
        ],
        "methods": [
            (
                "焼結銀接合と窒化ケイ素基板を組み合わせることで",
                "combining sintered-silver bonding with silicon-nitride substrates",
            ),
            (
                "独自のゲート駆動回路と磁気部品設計により",
                "through a proprietary gate-drive circuit and magnetics design",
            ),
            (
                "電磁界・熱連成シミュレーションにより",
                "using coupled electromagnetic-thermal simulation",
            ),
        ],
        "advantages": [
            ("従来比 40% の熱抵抗低減", "a 40% lower thermal resistance than conventional designs"),
            ("変換効率 98.5%", "a conversion efficiency of 98.5%"),
            ("体積 1/3 への小型化", "a third of the volume"),
        ],
        "applications": [
            ("電動車両", "electric vehicles"),
            ("再生可能エネルギー用パワコン", "renewable-energy inverters"),
            ("データセンター電源", "data-centre power supplies"),
        ],
    },
    "battery": {
        "dept": "ENG",
        "labs": [
            ("エネルギー化学研究室", "Energy Chemistry Lab"),
            ("蓄電デバイス研究室", "Energy Storage Devices Lab"),
        ],
        "keywords": [
            "全固体電池",
            "リチウムイオン電池",
            "固体電解質",
            "battery recycling",
            "ナトリウムイオン電池",
        ],
        "interests": [
            "battery recycling and solid-state electrolytes",
            "全固体電池の界面抵抗低減",
            "リチウムイオン電池の劣化診断",
            "ナトリウムイオン電池の正極材料",
            "電池リサイクル（Li, Co, Ni の回収）",
            "fast-charging anodes for EV batteries",
        ],
        "seeds": [
            ("硫化物系固体電解質の大気安定化", "Air-stable sulfide solid electrolytes"),
            (
                "リチウムイオン電池の非破壊劣化診断",
                "Non-destructive state-of-health diagnosis of Li-ion batteries",
            ),
            (
                "使用済み電池からのコバルト・ニッケル選択回収",
                "Selective recovery of cobalt and nickel from spent batteries",
            ),
            (
                "ナトリウムイオン電池用層状酸化物正極",
                "Layered oxide cathodes for sodium-ion batteries",
            ),
            (
                "Silicon-graphite composite anodes for fast charging",
                "Silicon-graphite composite anodes for fast charging",
            ),
            (
                "インピーダンス解析による電池内部状態の可視化",
                "Visualising internal battery states by impedance analysis",
            ),
        ],
        "methods": [
            ("独自の表面被覆プロセスにより", "with a proprietary surface-coating process"),
            (
                "交流インピーダンスと機械学習を組み合わせ",
                "combining AC impedance with machine learning",
            ),
            (
                "湿式製錬と溶媒抽出を最適化し",
                "by optimising hydrometallurgy and solvent extraction",
            ),
        ],
        "advantages": [
            ("10 mS/cm 以上のイオン伝導度", "an ionic conductivity above 10 mS/cm"),
            ("95% 以上の回収率", "a recovery rate above 95%"),
            ("数分での診断", "a diagnosis in minutes"),
        ],
        "applications": [
            ("車載用電池", "automotive batteries"),
            ("定置用蓄電システム", "stationary storage"),
            ("電池リサイクル事業", "battery recycling"),
        ],
    },
    "matinf": {
        "dept": "IMR",
        "labs": [
            ("計算材料科学研究室", "Computational Materials Science Lab"),
            ("マテリアルズ・インフォマティクス研究部門", "Materials Informatics Division"),
        ],
        "keywords": [
            "マテリアルズ・インフォマティクス",
            "machine learning",
            "第一原理計算",
            "ハイスループット実験",
            "合金設計",
        ],
        "interests": [
            "AI for materials discovery（MI の社内導入）",
            "マテリアルズ・インフォマティクスによる触媒探索",
            "high-entropy alloys for high-temperature parts",
            "第一原理計算を用いた材料設計の受託",
            "磁性材料のレアアース低減",
        ],
        "seeds": [
            (
                "ベイズ最適化による合金組成の自律探索",
                "Autonomous search of alloy compositions by Bayesian optimisation",
            ),
            (
                "少数データで使える材料特性予測モデル",
                "Materials property prediction from small data",
            ),
            ("ハイエントロピー合金の耐熱設計", "Heat-resistant design of high-entropy alloys"),
            ("レアアースフリー永久磁石", "Rare-earth-free permanent magnets"),
            (
                "Autonomous thin-film synthesis with robotic experiments",
                "Autonomous thin-film synthesis with robotic experiments",
            ),
            (
                "第一原理計算による触媒活性点の同定",
                "Identifying catalytic active sites by first-principles calculation",
            ),
        ],
        "methods": [
            (
                "ロボット実験とベイズ最適化を閉ループで回し",
                "closing the loop between robotic experiments and Bayesian optimisation",
            ),
            (
                "転移学習と物理モデルを組み合わせ",
                "combining transfer learning with physical models",
            ),
            (
                "計算と実験のデータベースを統合し",
                "integrating computational and experimental databases",
            ),
        ],
        "advantages": [
            (
                "実験回数 1/10 での最適組成の発見",
                "optimal compositions with a tenth of the experiments",
            ),
            ("数十点のデータでの高精度予測", "accurate predictions from a few dozen samples"),
            ("1000 ℃ で従来材の 2 倍の強度", "twice the strength of current alloys at 1000 °C"),
        ],
        "applications": [
            ("航空機エンジン部材", "aero-engine parts"),
            ("モーター用磁石", "motor magnets"),
            ("化学プロセス触媒", "process catalysts"),
        ],
    },
    "semicon": {
        "dept": "ENG",
        "labs": [
            ("半導体デバイス研究室", "Semiconductor Devices Lab"),
            ("集積回路研究室", "Integrated Circuits Lab"),
        ],
        "keywords": ["半導体", "先端パッケージ", "チップレット", "MEMS", "酸化物半導体"],
        "interests": [
            "チップレット・先端パッケージング",
            "advanced packaging and hybrid bonding",
            "MEMS センサーの低消費電力化",
            "半導体製造装置のプロセスモニタリング",
            "酸化物半導体 TFT",
        ],
        "seeds": [
            ("Cu-Cu ハイブリッド接合の低温プロセス", "Low-temperature Cu-Cu hybrid bonding"),
            ("チップレット間光インターコネクト", "Optical interconnects between chiplets"),
            ("超低消費電力 MEMS 加速度センサー", "Ultra-low-power MEMS accelerometers"),
            (
                "プラズマ発光分光によるエッチング終点検出",
                "Etch end-point detection by plasma emission spectroscopy",
            ),
            ("IGZO 薄膜トランジスタの高移動度化", "High-mobility IGZO thin-film transistors"),
            (
                "In-memory computing with ferroelectric FETs",
                "In-memory computing with ferroelectric FETs",
            ),
        ],
        "methods": [
            (
                "表面活性化と独自の前処理により",
                "with surface activation and a proprietary pre-treatment",
            ),
            (
                "微細加工と回路設計を一体で最適化し",
                "by co-optimising microfabrication and circuit design",
            ),
            ("インライン計測データの解析により", "by analysing in-line metrology data"),
        ],
        "advantages": [
            ("200 ℃ 以下での接合", "bonding below 200 °C"),
            ("1 µW 以下の消費電力", "a power draw below 1 µW"),
            ("歩留まり 5 ポイントの改善", "a five-point yield improvement"),
        ],
        "applications": [
            ("AI アクセラレータ", "AI accelerators"),
            ("IoT センサー", "IoT sensors"),
            ("ディスプレイ", "displays"),
        ],
    },
    "photonics": {
        "dept": "SCI",
        "labs": [
            ("光量子エレクトロニクス研究室", "Quantum Photonics Lab"),
            ("レーザー応用研究室", "Applied Laser Lab"),
        ],
        "keywords": [
            "フォトニクス",
            "レーザー加工",
            "光ファイバーセンシング",
            "テラヘルツ",
            "LiDAR",
        ],
        "interests": [
            "レーザー加工の高精度化（CFRP・ガラス）",
            "光ファイバーによるインフラ歪みセンシング",
            "terahertz imaging for non-destructive inspection",
            "LiDAR 向け小型光源",
            "silicon photonics transceivers",
        ],
        "seeds": [
            (
                "超短パルスレーザーによるガラス内部加工",
                "Inside-glass processing with ultrashort-pulse lasers",
            ),
            ("分布型光ファイバー歪みセンシング", "Distributed fibre-optic strain sensing"),
            (
                "テラヘルツ波による塗膜厚の非破壊計測",
                "Non-destructive paint-thickness measurement with terahertz waves",
            ),
            ("FMCW LiDAR 用狭線幅レーザー", "Narrow-linewidth lasers for FMCW LiDAR"),
            ("Metasurface lenses for compact cameras", "Metasurface lenses for compact cameras"),
        ],
        "methods": [
            (
                "独自の光学系とビーム整形技術により",
                "with a proprietary optical system and beam shaping",
            ),
            ("ブリルアン散乱の高速解析により", "by fast analysis of Brillouin scattering"),
        ],
        "advantages": [
            ("1 µm 以下の熱影響層", "a heat-affected zone below 1 µm"),
            ("10 km にわたる 1 m 分解能の計測", "1 m resolution over 10 km"),
        ],
        "applications": [
            ("電子部品加工", "electronics manufacturing"),
            ("橋梁・トンネルの点検", "bridge and tunnel inspection"),
            ("自動運転", "autonomous driving"),
        ],
    },
    "quantum": {
        "dept": "SCI",
        "labs": [
            ("量子センシング研究室", "Quantum Sensing Lab"),
            ("量子情報研究室", "Quantum Information Lab"),
        ],
        "keywords": [
            "量子センサー",
            "NV センター",
            "量子コンピュータ",
            "quantum annealing",
            "量子暗号",
        ],
        "interests": [
            "量子コンピュータの業務活用（最適化問題）",
            "NV センターを用いた磁気計測",
            "quantum-safe cryptography migration",
            "量子アニーリングによる物流最適化",
        ],
        "seeds": [
            (
                "ダイヤモンド NV センターによる高感度磁場イメージング",
                "High-sensitivity magnetic imaging with diamond NV centres",
            ),
            ("量子アニーリングを用いた配送計画の最適化", "Delivery planning by quantum annealing"),
            (
                "耐量子計算機暗号の軽量実装",
                "Lightweight implementation of post-quantum cryptography",
            ),
            (
                "Error mitigation for near-term quantum computers",
                "Error mitigation for near-term quantum computers",
            ),
        ],
        "methods": [
            ("室温動作の量子センサーを用い", "with room-temperature quantum sensors"),
            ("問題の QUBO 定式化を工夫し", "through a new QUBO formulation"),
        ],
        "advantages": [
            ("室温での pT レベルの感度", "pT-level sensitivity at room temperature"),
            ("1/20 の計算時間", "a twentyfold speed-up"),
        ],
        "applications": [
            ("電池・半導体の検査", "battery and chip inspection"),
            ("物流", "logistics"),
            ("金融", "finance"),
        ],
    },
    "robotics": {
        "dept": "ENG",
        "labs": [
            ("ロボティクス研究室", "Robotics Lab"),
            ("フィールドロボット研究室", "Field Robotics Lab"),
        ],
        "keywords": [
            "ロボット",
            "マニピュレーション",
            "ソフトロボティクス",
            "自律移動",
            "遠隔操作",
        ],
        "interests": [
            "物流倉庫のピッキング自動化",
            "ソフトグリッパーによる食品ハンドリング",
            "inspection robots for plants and infrastructure",
            "協働ロボットの安全設計",
            "遠隔操作ロボット（アバター）",
        ],
        "seeds": [
            ("不定形物を把持するソフトグリッパー", "Soft grippers for irregular objects"),
            ("視覚と触覚を統合したピッキング", "Picking with integrated vision and touch"),
            ("プラント点検用の脚型ロボット", "Legged robots for plant inspection"),
            ("低遅延遠隔操作システム", "Low-latency teleoperation system"),
            (
                "Learning from demonstration for assembly tasks",
                "Learning from demonstration for assembly tasks",
            ),
        ],
        "methods": [
            (
                "空気圧アクチュエータと触覚センサーを組み合わせ",
                "combining pneumatic actuators with tactile sensors",
            ),
            ("模倣学習と強化学習を組み合わせ", "combining imitation and reinforcement learning"),
        ],
        "advantages": [
            ("98% の把持成功率", "a 98% grasp success rate"),
            ("1/5 の教示時間", "a fivefold cut in teaching time"),
        ],
        "applications": [
            ("物流", "logistics"),
            ("食品工場", "food factories"),
            ("プラント保守", "plant maintenance"),
        ],
    },
    "ai": {
        "dept": "INF",
        "labs": [
            ("知能情報学研究室", "Intelligent Informatics Lab"),
            ("自然言語処理研究室", "Natural Language Processing Lab"),
        ],
        "keywords": ["機械学習", "深層学習", "自然言語処理", "LLM", "画像認識", "異常検知"],
        "interests": [
            "生成 AI（LLM）の社内文書活用",
            "製造ラインの異常検知",
            "画像検査の自動化",
            "demand forecasting with machine learning",
            "LLM による技術文書の検索・要約",
            "explainable AI for credit and risk models",
        ],
        "seeds": [
            (
                "少数の不良品画像で学習できる外観検査 AI",
                "Visual inspection AI trained on few defect images",
            ),
            (
                "日本語技術文書に特化した検索拡張生成",
                "Retrieval-augmented generation for Japanese technical documents",
            ),
            (
                "センサー時系列の異常検知と要因推定",
                "Anomaly detection and root-cause estimation for sensor time series",
            ),
            ("説明可能な需要予測モデル", "Explainable demand forecasting"),
            ("Privacy-preserving federated learning", "Privacy-preserving federated learning"),
            ("エッジデバイス向け軽量画像認識", "Lightweight image recognition for edge devices"),
        ],
        "methods": [
            (
                "自己教師あり学習と異常スコアの校正により",
                "with self-supervised learning and calibrated anomaly scores",
            ),
            ("ドメイン適応した言語モデルを用い", "with a domain-adapted language model"),
            ("モデル圧縮と量子化により", "through model compression and quantisation"),
        ],
        "advantages": [
            ("0.1% 以下の見逃し率", "a miss rate below 0.1%"),
            ("回答精度 25 ポイントの向上", "a 25-point accuracy gain"),
            ("10 倍の推論速度", "ten times faster inference"),
        ],
        "applications": [
            ("製造業の品質管理", "quality control"),
            ("社内ナレッジ管理", "knowledge management"),
            ("小売・物流", "retail and logistics"),
        ],
    },
    "security": {
        "dept": "INF",
        "labs": [("情報セキュリティ研究室", "Information Security Lab")],
        "keywords": ["サイバーセキュリティ", "暗号", "制御システムセキュリティ", "プライバシー"],
        "interests": [
            "工場（OT）ネットワークのセキュリティ",
            "秘密計算によるデータ連携",
            "supply-chain security for IoT devices",
        ],
        "seeds": [
            ("制御システム向け異常通信検知", "Intrusion detection for industrial control systems"),
            (
                "秘密計算による企業間データ分析",
                "Cross-company data analysis with secure computation",
            ),
            ("IoT 機器のファームウェア改ざん検知", "Firmware tamper detection for IoT devices"),
        ],
        "methods": [
            ("通信の周期性モデルを学習し", "by learning periodicity models of traffic"),
            ("準同型暗号を高速化し", "with accelerated homomorphic encryption"),
        ],
        "advantages": [
            ("1 日 1 件以下の誤検知", "fewer than one false alarm a day"),
            ("実用的な計算時間", "practical run times"),
        ],
        "applications": [
            ("工場・プラント", "factories and plants"),
            ("金融・医療データ連携", "finance and health data sharing"),
        ],
    },
    "meddev": {
        "dept": "MED",
        "labs": [
            ("医用工学講座", "Department of Biomedical Engineering"),
            ("医療機器開発センター", "Medical Device Development Center"),
        ],
        "keywords": ["医療機器", "カテーテル", "ウェアラブル", "生体センサー", "手術支援"],
        "interests": [
            "ウェアラブル生体センサー（心電・血圧）",
            "カテーテルの操作性向上",
            "AI-assisted endoscopy",
            "医療機器の薬事承認（PMDA 相談）を見据えた共同研究",
            "在宅医療向けモニタリング",
        ],
        "seeds": [
            ("カフレス連続血圧計測ウェアラブル", "Cuffless continuous blood-pressure wearable"),
            (
                "内視鏡画像からの早期胃がん検出 AI",
                "AI detection of early gastric cancer in endoscopy",
            ),
            ("形状記憶合金を用いた能動カテーテル", "Active catheters using shape-memory alloys"),
            ("手術支援ロボット用力覚提示", "Haptic feedback for surgical robots"),
            (
                "Point-of-care sepsis test on a paper chip",
                "Point-of-care sepsis test on a paper chip",
            ),
        ],
        "methods": [
            ("臨床データ 1 万例を用いた検証で", "in a study of 10,000 clinical cases"),
            (
                "柔軟エレクトロニクスと信号処理により",
                "using flexible electronics and signal processing",
            ),
        ],
        "advantages": [
            ("専門医と同等の感度", "sensitivity on par with specialists"),
            ("±5 mmHg 以内の測定誤差", "an error within ±5 mmHg"),
        ],
        "applications": [
            ("在宅医療", "home care"),
            ("消化器内科", "gastroenterology"),
            ("低侵襲治療", "minimally invasive therapy"),
        ],
    },
    "drug": {
        "dept": "PHA",
        "labs": [
            ("創薬化学研究室", "Medicinal Chemistry Lab"),
            ("薬物動態学研究室", "Pharmacokinetics Lab"),
        ],
        "keywords": ["創薬", "中分子", "核酸医薬", "DDS", "抗体"],
        "interests": [
            "中分子（環状ペプチド）創薬",
            "核酸医薬の DDS",
            "drug repositioning with AI",
            "抗体薬物複合体（ADC）のリンカー技術",
        ],
        "seeds": [
            ("膜透過性の高い環状ペプチドの設計", "Designing membrane-permeable cyclic peptides"),
            (
                "脂質ナノ粒子による核酸の組織選択的送達",
                "Tissue-selective nucleic-acid delivery with lipid nanoparticles",
            ),
            ("AI による既存薬の新規適応探索", "AI-driven drug repositioning"),
            ("切断制御可能な ADC リンカー", "Cleavage-controlled linkers for ADCs"),
        ],
        "methods": [
            (
                "独自の化合物ライブラリーと計算化学により",
                "with an in-house compound library and computational chemistry",
            ),
            (
                "脂質組成のハイスループットスクリーニングにより",
                "by high-throughput screening of lipid compositions",
            ),
        ],
        "advantages": [
            ("10 倍の経口吸収性", "a tenfold gain in oral absorption"),
            ("肝臓以外の臓器への送達", "delivery beyond the liver"),
        ],
        "applications": [("がん治療", "oncology"), ("希少疾患", "rare diseases")],
    },
    "regen": {
        "dept": "MED",
        "labs": [("再生医学講座", "Department of Regenerative Medicine")],
        "keywords": ["iPS 細胞", "再生医療", "細胞培養", "オルガノイド"],
        "interests": [
            "iPS 細胞の自動培養装置",
            "オルガノイドを用いた薬効評価",
            "cell therapy manufacturing (CMC)",
        ],
        "seeds": [
            ("iPS 細胞由来心筋シートの大量培養", "Scale-up of iPS-derived cardiomyocyte sheets"),
            ("腸管オルガノイドによる薬物毒性評価", "Drug toxicity testing on intestinal organoids"),
            ("細胞品質のラベルフリー画像評価", "Label-free image assessment of cell quality"),
        ],
        "methods": [
            ("閉鎖系自動培養装置を用い", "in a closed automated culture system"),
            ("画像解析と機械学習により", "with image analysis and machine learning"),
        ],
        "advantages": [
            ("1/3 の培養コスト", "a third of the culture cost"),
            ("動物実験の代替", "an alternative to animal testing"),
        ],
        "applications": [
            ("再生医療製品の製造", "regenerative-medicine manufacturing"),
            ("創薬スクリーニング", "drug screening"),
        ],
    },
    "food": {
        "dept": "AGR",
        "labs": [
            ("食品機能学研究室", "Food Function Lab"),
            ("食品工学研究室", "Food Engineering Lab"),
        ],
        "keywords": ["食品科学", "機能性表示食品", "発酵", "代替タンパク質", "腸内細菌"],
        "interests": [
            "機能性表示食品のエビデンス取得",
            "代替タンパク質（植物肉・培養肉）",
            "plant-based protein texture",
            "発酵技術を用いた新素材",
            "食品の賞味期限延長",
            "腸内細菌叢と健康",
        ],
        "seeds": [
            ("大豆タンパク質の繊維化による食感改善", "Texturising soy protein for meat-like bite"),
            (
                "乳酸菌による腸内環境改善の臨床評価",
                "Clinical evaluation of lactic-acid bacteria on gut health",
            ),
            ("高圧処理による生鮮食品の日持ち向上", "High-pressure processing to extend shelf life"),
            ("麹菌を用いた新規発酵調味料", "New fermented seasonings with koji mould"),
            (
                "Upcycling brewers' spent grain into food ingredients",
                "Upcycling brewers' spent grain into food ingredients",
            ),
        ],
        "methods": [
            ("二軸エクストルーダーの条件最適化により", "by optimising twin-screw extrusion"),
            ("ヒト介入試験により", "in a human intervention study"),
        ],
        "advantages": [
            ("畜肉と同等の食感", "texture scores on par with meat"),
            ("2 倍の賞味期限", "twice the shelf life"),
        ],
        "applications": [
            ("食品メーカー", "food manufacturers"),
            ("外食産業", "food service"),
            ("健康食品", "health foods"),
        ],
    },
    "agri": {
        "dept": "AGR",
        "labs": [
            ("植物生産学研究室", "Plant Production Lab"),
            ("スマート農業研究室", "Smart Agriculture Lab"),
        ],
        "keywords": ["スマート農業", "植物工場", "ゲノム編集", "ドローン", "土壌"],
        "interests": [
            "植物工場の省エネ化",
            "ドローンによる生育診断",
            "genome-edited crops (regulatory path)",
            "バイオスティミュラント",
        ],
        "seeds": [
            ("ドローン画像による水稲の生育診断", "Rice growth diagnosis from drone images"),
            ("植物工場向け LED 光レシピ", "LED light recipes for plant factories"),
            ("高温耐性イネのゲノム編集", "Genome editing for heat-tolerant rice"),
        ],
        "methods": [
            ("マルチスペクトル画像と生育モデルにより", "with multispectral imaging and crop models")
        ],
        "advantages": [
            ("15% の増収", "a 15% yield increase"),
            ("30% の省電力", "30% less electricity"),
        ],
        "applications": [("農業法人", "farm enterprises"), ("種苗", "seeds and seedlings")],
    },
    "env": {
        "dept": "ENV",
        "labs": [
            ("環境化学研究室", "Environmental Chemistry Lab"),
            ("水環境研究室", "Water Environment Lab"),
        ],
        "keywords": [
            "CO2 回収",
            "水処理",
            "PFAS",
            "ライフサイクルアセスメント",
            "カーボンニュートラル",
        ],
        "interests": [
            "CO2 回収・利用（CCUS）",
            "PFAS 除去技術",
            "水処理膜のファウリング対策",
            "life-cycle assessment and Scope 3 accounting",
            "カーボンニュートラルに向けた技術ロードマップ",
        ],
        "seeds": [
            (
                "アミン担持多孔体による低エネルギー CO2 回収",
                "Low-energy CO2 capture with amine-loaded porous solids",
            ),
            ("PFAS の吸着・分解処理", "Adsorption and destruction of PFAS"),
            ("防汚性水処理膜", "Anti-fouling water treatment membranes"),
            ("Scope 3 排出量の簡易推計ツール", "A simple tool for estimating Scope 3 emissions"),
        ],
        "methods": [
            ("金属有機構造体（MOF）を用い", "using metal-organic frameworks"),
            ("表面改質ポリマーにより", "with surface-modified polymers"),
        ],
        "advantages": [
            ("30% の再生エネルギー削減", "30% less regeneration energy"),
            ("99% 以上の除去率", "above 99% removal"),
        ],
        "applications": [
            ("化学・鉄鋼プラント", "chemical and steel plants"),
            ("上下水道", "water utilities"),
        ],
    },
    "hydrogen": {
        "dept": "ENG",
        "labs": [
            ("触媒化学研究室", "Catalysis Lab"),
            ("水素エネルギー研究室", "Hydrogen Energy Lab"),
        ],
        "keywords": ["水素", "水電解", "燃料電池", "触媒", "アンモニア"],
        "interests": [
            "水電解用の貴金属フリー触媒",
            "燃料電池の耐久性向上",
            "アンモニアの低温合成",
            "hydrogen embrittlement of pipeline steels",
        ],
        "seeds": [
            (
                "イリジウム使用量を 1/10 にした水電解触媒",
                "Water-electrolysis catalysts with a tenth of the iridium",
            ),
            (
                "燃料電池電解質膜の化学劣化抑制",
                "Suppressing chemical degradation of fuel-cell membranes",
            ),
            (
                "低温・低圧アンモニア合成触媒",
                "Low-temperature, low-pressure ammonia synthesis catalysts",
            ),
            ("高強度鋼の水素脆化評価", "Evaluating hydrogen embrittlement of high-strength steels"),
        ],
        "methods": [
            ("原子層堆積による触媒設計で", "with catalysts designed by atomic layer deposition"),
            (
                "その場観察と計算化学を組み合わせ",
                "combining in-situ observation with computational chemistry",
            ),
        ],
        "advantages": [
            ("5 万時間相当の耐久性", "the equivalent of 50,000 hours' durability"),
            ("300 ℃ 以下での合成", "synthesis below 300 °C"),
        ],
        "applications": [("水素製造", "hydrogen production"), ("燃料電池車", "fuel-cell vehicles")],
    },
    "infra": {
        "dept": "ENG",
        "labs": [
            ("構造工学研究室", "Structural Engineering Lab"),
            ("地盤工学研究室", "Geotechnical Engineering Lab"),
        ],
        "keywords": ["インフラ維持管理", "コンクリート", "構造ヘルスモニタリング", "防災"],
        "interests": [
            "橋梁の劣化予測とモニタリング",
            "コンクリートのひび割れ自動検出",
            "seismic retrofitting",
            "低炭素コンクリート",
        ],
        "seeds": [
            (
                "画像 AI による橋梁ひび割れ自動検出",
                "Automatic crack detection on bridges with image AI",
            ),
            (
                "振動計測による構造物の健全性評価",
                "Structural health assessment from vibration measurements",
            ),
            ("CO2 を固定化する低炭素コンクリート", "Low-carbon concrete that fixes CO2"),
        ],
        "methods": [("ドローン撮影と深層学習により", "with drone imagery and deep learning")],
        "advantages": [("点検コストの半減", "half the inspection cost")],
        "applications": [
            ("道路・橋梁", "roads and bridges"),
            ("建設会社", "construction companies"),
        ],
    },
    "polymer": {
        "dept": "ENG",
        "labs": [
            ("高分子材料研究室", "Polymer Materials Lab"),
            ("複合材料研究室", "Composite Materials Lab"),
        ],
        "keywords": ["高分子", "CFRP", "リサイクル", "生分解性プラスチック", "接着"],
        "interests": [
            "CFRP のリサイクル",
            "生分解性プラスチック（海洋分解）",
            "異種材料接着",
            "self-healing coatings",
            "ゴムの耐摩耗性向上",
        ],
        "seeds": [
            ("熱可塑性 CFRP の高速成形", "Rapid moulding of thermoplastic CFRP"),
            ("海洋で分解するバイオプラスチック", "Bioplastics that degrade in seawater"),
            ("金属と樹脂の直接接合", "Direct joining of metal and resin"),
            ("自己修復性コーティング", "Self-healing coatings"),
        ],
        "methods": [("分子設計と界面制御により", "through molecular design and interface control")],
        "advantages": [
            ("1 分以内の成形", "moulding in under a minute"),
            ("30 MPa 以上の接合強度", "a joint strength above 30 MPa"),
        ],
        "applications": [("自動車の軽量化", "lighter vehicles"), ("包装材料", "packaging")],
    },
    "biotech": {
        "dept": "LIF",
        "labs": [
            ("応用微生物学研究室", "Applied Microbiology Lab"),
            ("合成生物学研究室", "Synthetic Biology Lab"),
        ],
        "keywords": ["バイオものづくり", "合成生物学", "微生物", "酵素", "ゲノム解析"],
        "interests": [
            "微生物を用いたバイオものづくり",
            "酵素の耐熱化・高活性化",
            "precision fermentation for dairy proteins",
            "メタゲノム解析の受託",
        ],
        "seeds": [
            (
                "微生物による香料成分の高生産",
                "High-yield microbial production of fragrance compounds",
            ),
            ("機械学習による酵素の耐熱化設計", "Machine-learning design of thermostable enzymes"),
            (
                "精密発酵による乳タンパク質生産",
                "Dairy protein production by precision fermentation",
            ),
        ],
        "methods": [
            (
                "代謝経路の改変と培養条件の最適化により",
                "by engineering metabolic pathways and optimising culture",
            )
        ],
        "advantages": [("20 倍の生産性", "twenty times the productivity")],
        "applications": [
            ("化粧品・香料", "cosmetics and fragrances"),
            ("食品素材", "food ingredients"),
        ],
    },
    "dental": {
        "dept": "DEN",
        "labs": [("歯科生体材料学講座", "Department of Dental Biomaterials")],
        "keywords": ["歯科材料", "インプラント", "口腔ケア"],
        "interests": [
            "歯科用 CAD/CAM 材料",
            "口腔ケアと全身疾患",
            "antibacterial implant surfaces",
        ],
        "seeds": [
            (
                "抗菌性チタンインプラント表面処理",
                "Antibacterial surface treatment for titanium implants",
            ),
            ("高強度 CAD/CAM 用レジン", "High-strength CAD/CAM resin blocks"),
        ],
        "methods": [
            ("ナノ構造化と銀イオン担持により", "with nanostructuring and silver-ion loading")
        ],
        "advantages": [("90% の細菌付着抑制", "90% less bacterial adhesion")],
        "applications": [("歯科医療", "dentistry")],
    },
}

#: EDINET industry -> the fields its companies are interested in.
INDUSTRY_FIELDS = {
    "電気機器": ["power", "semicon", "photonics", "robotics", "ai", "battery"],
    "化学": ["battery", "matinf", "polymer", "hydrogen", "env", "biotech"],
    "機械": ["robotics", "infra", "hydrogen", "power", "ai"],
    "医薬品": ["drug", "regen", "biotech"],
    "精密機器": ["meddev", "photonics", "quantum", "semicon"],
    "輸送用機器": ["battery", "power", "polymer", "robotics", "hydrogen"],
    "情報・通信業": ["ai", "security", "quantum"],
    "食料品": ["food", "biotech", "agri"],
    "非鉄金属": ["matinf", "battery", "hydrogen"],
    "鉄鋼": ["matinf", "hydrogen", "infra"],
    "金属製品": ["matinf", "polymer", "infra"],
    "ガラス・土石製品": ["photonics", "matinf", "infra"],
    "繊維製品": ["polymer", "meddev"],
    "ゴム製品": ["polymer", "robotics"],
    "建設業": ["infra", "env", "robotics"],
    "電気・ガス業": ["hydrogen", "power", "env"],
    "サービス業": ["ai", "meddev", "security"],
    "パルプ・紙": ["polymer", "env", "biotech"],
    "石油・石炭製品": ["hydrogen", "env"],
    "水産・農林業": ["agri", "food"],
    "その他製品": ["polymer", "robotics", "meddev"],
    "卸売業": ["food", "ai", "battery"],
    "陸運業": ["ai", "robotics", "env"],
}

#: Fictional foreign companies:
#: (name, country, industry, fields, size, name of the Japanese subsidiary or None).
FOREIGN_COMPANIES = [
    (
        "Northwind Semiconductor Inc.",
        "US",
        "電気機器",
        ["semicon", "power"],
        "large",
        "ノースウィンド・セミコンダクター合同会社",
    ),
    ("Cobalt Ridge Energy Inc.", "US", "化学", ["battery", "env"], "sme", None),
    ("Bluefin Robotics, Inc.", "US", "機械", ["robotics", "ai"], "startup", None),
    ("Lumen Health Devices, Inc.", "US", "精密機器", ["meddev"], "sme", None),
    ("Redwood Quantum Inc.", "US", "情報・通信業", ["quantum", "security"], "startup", None),
    ("Rheinfeld Materialtechnik GmbH", "DE", "非鉄金属", ["matinf", "hydrogen"], "sme", None),
    (
        "Kessler Antriebstechnik GmbH",
        "DE",
        "機械",
        ["power", "robotics"],
        "large",
        "ケスラー・ドライブ・ジャパン株式会社",
    ),
    (
        "Brandt Medizintechnik GmbH",
        "DE",
        "精密機器",
        ["meddev", "regen"],
        "large",
        "ブラント・メディカル・ジャパン株式会社",
    ),
    ("Hohenau Chemie AG", "DE", "化学", ["polymer", "env"], "large", None),
    ("Optique Lumière S.A.", "FR", "精密機器", ["photonics"], "large", None),
    ("Vallée Biotech S.A.S.", "FR", "医薬品", ["drug", "biotech"], "startup", None),
    ("Aérotrace S.A.", "FR", "輸送用機器", ["polymer", "matinf"], "large", None),
    (
        "Hanbit Battery Co., Ltd.",
        "KR",
        "電気機器",
        ["battery"],
        "large",
        "ハンビット・バッテリー・ジャパン株式会社",
    ),
    ("Daeyang Display Co., Ltd.", "KR", "電気機器", ["semicon", "photonics"], "large", None),
    ("Seoul Precision Materials Co., Ltd.", "KR", "化学", ["matinf", "semicon"], "sme", None),
    (
        "Formosa Wafer Technology Co., Ltd.",
        "TW",
        "電気機器",
        ["semicon"],
        "large",
        "フォルモサ・ウェーハ・ジャパン株式会社",
    ),
    ("Tainan Photonics Co., Ltd.", "TW", "電気機器", ["photonics", "semicon"], "sme", None),
    (
        "Shenzhen Kaiyuan Power Electronics Co., Ltd.",
        "CN",
        "電気機器",
        ["power", "battery"],
        "large",
        None,
    ),
    ("Suzhou Greenleaf Biomaterials Co., Ltd.", "CN", "化学", ["polymer", "biotech"], "sme", None),
    ("Hangzhou Zhiyun AI Technology Co., Ltd.", "CN", "情報・通信業", ["ai"], "startup", None),
    ("Merlion Water Solutions Pte. Ltd.", "SG", "サービス業", ["env"], "sme", None),
    ("Straits Medtech Pte. Ltd.", "SG", "精密機器", ["meddev", "ai"], "startup", None),
    ("Thamesbridge Analytics Ltd.", "GB", "情報・通信業", ["ai", "security"], "sme", None),
    ("Pennine Composites plc", "GB", "化学", ["polymer"], "large", None),
    ("Polder Agritech B.V.", "NL", "水産・農林業", ["agri", "food"], "sme", None),
    (
        "Alpstein Pharma AG",
        "CH",
        "医薬品",
        ["drug", "regen"],
        "large",
        "アルプシュタイン製薬株式会社",
    ),
    ("Nordvik Energy AB", "SE", "電気・ガス業", ["hydrogen", "battery"], "sme", None),
    ("Saimaa Fibre Innovations Oy", "FI", "パルプ・紙", ["polymer", "env"], "sme", None),
    ("Deccan Therapeutics Pvt. Ltd.", "IN", "医薬品", ["drug"], "startup", None),
    ("Maple Leaf Hydrogen Inc.", "CA", "電気・ガス業", ["hydrogen"], "startup", None),
    ("Coral Coast Minerals Pty Ltd", "AU", "非鉄金属", ["battery", "matinf"], "sme", None),
]

#: Reading (katakana) and English name of the fictional Japanese subsidiaries above.
SUBSIDIARY_DETAILS = {
    "ノースウィンド・セミコンダクター合同会社": (
        "ノースウィンドセミコンダクター",
        "Northwind Semiconductor G.K.",
    ),
    "ケスラー・ドライブ・ジャパン株式会社": (
        "ケスラードライブジャパン",
        "Kessler Drive Japan K.K.",
    ),
    "ブラント・メディカル・ジャパン株式会社": (
        "ブラントメディカルジャパン",
        "Brandt Medical Japan K.K.",
    ),
    "ハンビット・バッテリー・ジャパン株式会社": (
        "ハンビットバッテリージャパン",
        "Hanbit Battery Japan Co., Ltd.",
    ),
    "フォルモサ・ウェーハ・ジャパン株式会社": (
        "フォルモサウェーハジャパン",
        "Formosa Wafer Japan Co., Ltd.",
    ),
    "アルプシュタイン製薬株式会社": ("アルプシュタインセイヤク", "Alpstein Pharma Japan K.K."),
}

#: Titles (役職) at companies: Japanese and English, roughly by seniority.
TITLES_JA = [
    "部長",
    "課長",
    "担当課長",
    "係長",
    "主任研究員",
    "主任",
    "研究員",
    "マネージャー",
    "執行役員 CTO",
    "取締役",
    "研究所長",
    "グループリーダー",
    "室長",
    "シニアエンジニア",
]
TITLES_EN = [
    "CTO",
    "VP Engineering",
    "Director of R&D",
    "Senior Scientist",
    "Principal Engineer",
    "Business Development Manager",
    "Head of Open Innovation",
    "Research Fellow",
    "Program Manager",
    "Technology Scout",
    "Country Manager Japan",
]
COMPANY_DEPARTMENTS_JA = [
    "研究開発本部",
    "技術企画部",
    "知的財産部",
    "経営企画部",
    "新事業開発室",
    "オープンイノベーション推進室",
    "生産技術部",
    "品質保証部",
    "中央研究所",
    "人事部 採用グループ",
    "事業開発部",
    "先端技術研究所",
]
COMPANY_DEPARTMENTS_EN = [
    "R&D",
    "Open Innovation",
    "Corporate Venture",
    "IP & Licensing",
    "Business Development",
    "Advanced Technology",
    "Strategy",
    "Japan Office",
]

RESEARCHER_TITLES = [
    ("教授", 5),
    ("准教授", 4),
    ("講師", 2),
    ("助教", 3),
    ("特任教授", 1),
    ("特任准教授", 1),
]

#: Small talk (雑談) noted at events: the details that make the next conversation easier.
SMALL_TALK = [
    "娘さんが受験生（来春、理系志望）",
    "週末はロードバイク。ヒルクライム大会に出ている",
    "日本酒好き。新潟の酒蔵巡りが趣味",
    "ゴルフの話で盛り上がった（ハンデ 12）",
    "以前、本学の研究室に社会人博士として在籍していた",
    "息子さんが本学の工学部 2 年生",
    "来月から欧州駐在の予定",
    "お子さんが生まれたばかり（育休明け）",
    "学会で何度か会っている",
    "マラソン愛好家。東京マラソンに当選したとのこと",
    "鉄道好き。出張はなるべく新幹線",
    "大学時代はラグビー部",
    "趣味はカメラ。展示会の写真も自分で撮っている",
    "Just moved from Munich; kids at an international school in Yokohama",
    "Big fan of ramen; asked for recommendations near campus",
    "Runs marathons; did Kyoto last year",
    "Studied in Japan as an exchange student 15 years ago",
    "Speaks good Japanese (JLPT N2)",
    "Daughter applying to universities in Japan",
    "Keen hiker — climbed Mt Fuji last summer",
    "コーヒーにこだわり。自家焙煎している",
    "釣りが趣味（相模湾）",
    "猫を 3 匹飼っている",
    "出身は札幌。地元の話題で盛り上がった",
    "落語好き",
    "地元の少年野球チームのコーチ",
    "Enjoys onsen trips; recommended Kusatsu",
    "Former colleague of our Prof. at MIT",
]

#: Follow-up wording used in encounters and activities.
FOLLOW_UPS = [
    "研究室見学の日程調整",
    "関連論文と研究シーズ集を送付",
    "NDA のひな形を送る",
    "send the seed sheet and lab introduction",
    "先生との面談をセット",
    "共同研究の概算見積を提示",
    "arrange an online meeting with the PI",
    "技術相談の申込書を送付",
]

#: Event templates: (name pattern, kind, month, day, days, location, description).
EVENT_SERIES = [
    (
        "CEATEC {year}",
        "trade_show",
        10,
        15,
        4,
        "幕張メッセ",
        "デジタル・エレクトロニクスの総合展示会。本学ブースで研究シーズを展示。",
    ),
    (
        "nano tech {year} 国際ナノテクノロジー総合展",
        "trade_show",
        1,
        29,
        3,
        "東京ビッグサイト",
        "ナノテク・材料分野の展示会。パネル展示とショートプレゼン。",
    ),
    (
        "BioJapan {year}",
        "trade_show",
        10,
        9,
        3,
        "パシフィコ横浜",
        "Asia's partnering event for biotech. Partnering meetings booked in advance.",
    ),
    (
        "JST 新技術説明会（{year}年 工学系）",
        "seminar",
        6,
        20,
        1,
        "オンライン（JST）",
        "大学の研究者が企業向けに特許技術を説明。本学から 4 件発表。",
    ),
    (
        "イノベーション・ジャパン {year} 大学見本市",
        "trade_show",
        8,
        22,
        2,
        "東京ビッグサイト",
        "大学見本市。本学から 6 シーズを出展。",
    ),
    (
        "SEMICON Japan {year}",
        "trade_show",
        12,
        11,
        3,
        "東京ビッグサイト",
        "Semiconductor manufacturing supply chain exhibition.",
    ),
    (
        "FOOMA JAPAN {year}",
        "trade_show",
        6,
        10,
        4,
        "東京ビッグサイト",
        "食品製造機械・技術の展示会。食品工学研究室と共同出展。",
    ),
    (
        "産学連携セミナー「パワー半導体の最前線」",
        "seminar",
        11,
        18,
        1,
        "本学 工学部 中央棟 大講義室",
        "学内開催の企業向けセミナー。講演 3 件と研究室見学。",
    ),
    (
        "Industry Liaison Programme Annual Conference {year}",
        "conference",
        3,
        6,
        2,
        "本学 国際交流会館",
        "Members-only conference for ILP member companies; research briefings and"
        " one-to-one meetings with faculty.",
    ),
    (
        "Battery Japan {year} 二次電池展",
        "trade_show",
        3,
        13,
        3,
        "東京ビッグサイト",
        "二次電池の展示会。全固体電池・リサイクル関連の企業が多数出展。",
    ),
    (
        "MEDTEC Japan {year}",
        "trade_show",
        4,
        16,
        3,
        "東京ビッグサイト",
        "医療機器の設計・製造展示会。医学系研究科の医工連携シーズを紹介。",
    ),
    (
        "企業研究所訪問（横浜・川崎エリア）",
        "visit",
        9,
        5,
        1,
        "横浜市・川崎市",
        "リエゾン担当 2 名で企業研究所 4 社を訪問。",
    ),
]

#: (kind, subject, minutes category); {topic} is a seed title, {event} a recent trade show.
ACTIVITY_SUBJECTS = [
    ("meeting", "共同研究の打合せ（{topic}）", "tech"),
    ("meeting", "{topic}に関する技術相談", "tech"),
    ("meeting", "NDA 締結に向けた条件確認", "contract"),
    ("meeting", "共同研究契約の条件交渉（さくらツール準拠）", "contract"),
    ("meeting", "研究計画書のレビュー", "tech"),
    ("meeting", "Kick-off meeting: {topic}", "tech"),
    ("meeting", "Quarterly progress review", "tech"),
    ("meeting", "ILP 会員向け研究ブリーフィング", "member"),
    ("visit", "研究室見学（{topic}）", "lab"),
    ("visit", "先方研究所訪問", "tech"),
    ("visit", "Site visit to the R&D centre", "tech"),
    ("call", "展示会後のフォローアップ電話", "followup"),
    ("call", "Follow-up call after {event}", "followup"),
    ("call", "会員更新の確認", "member"),
    ("call", "安全保障貿易管理（該非判定）の確認", "export"),
    ("email", "研究シーズ集の送付", "seeds"),
    ("email", "Sent the seed sheet on {topic}", "seeds"),
    ("email", "見積（間接経費率 30%）の送付", "contract"),
    ("email", "寄付金申込書の送付", "donation"),
]

#: Minutes by category and language; {who} is the contact (or their team), {user} our officer.
MINUTES = {
    "tech": {
        "ja": [
            "出席: {who}、当方 {user}\n{topic}について意見交換。先方は{need}に強い関心。"
            "\n次のアクション: {follow}（{due} まで）",
            "先方より{need}の課題説明。社内で評価を進めているが、測定手法に課題あり。"
            "\n→ 本学の関連研究室を紹介することで合意。{follow}。",
        ],
        "en": [
            "Attendees: {who}, {user}\nDiscussed {topic}. They are looking at {need}."
            "\nNext step: {follow} by {due}.",
            "Reviewed the draft research plan on {topic}. Milestones agreed; the company asks"
            " for quarterly progress reports managed by a URA.",
        ],
    },
    "lab": {
        "ja": [
            "研究室を見学し、{topic}の実験設備とデータを紹介。先方は量産工程への適用可能性を質問。"
            "\n次回: 評価サンプルの提供条件を相談（{due} 頃）。"
        ],
        "en": [
            "Lab tour: {topic}. {who} asked about scaling up to production."
            "\nNext: terms for evaluation samples (around {due})."
        ],
    },
    "contract": {
        "ja": [
            "契約条件の確認。知財の帰属は共有、実施料は別途協議。"
            "間接経費率は 30%（四半期報告あり）で提示。\n法務確認後に回答予定。",
            "NDA のひな形を送付済み。開示範囲（未公開データの扱い）について先方法務から修正案あり。"
            "\n→ 産学連携課と調整し {due} までに回答。",
        ],
        "en": [
            "Contract terms: joint ownership of IP, royalties to be agreed separately. Indirect"
            " cost rate 30% (contract in English, quarterly reports). Arbitration in a third"
            " country (Singapore) proposed.",
            "NDA draft sent; their legal team asked to narrow the definition of confidential"
            " information. Reply by {due}.",
        ],
    },
    "export": {
        "ja": [
            "安全保障貿易管理: 相手先の所在国と最終用途を確認。"
            "リスト規制非該当、キャッチオール確認済。\n輸出管理担当へ報告済み。"
        ],
        "en": [
            "Export control check: destination country and end use confirmed; not listed,"
            " catch-all checked. Reported to the export-control officer; payment may proceed."
        ],
    },
    "member": {
        "ja": [
            "会員更新について説明。来期はティアを見直したいとのこと。研究ブリーフィングの満足度は高い。",
            "ILP 会員向けに最新の研究シーズ 5 件を紹介。{topic}に質問が集中。",
        ],
        "en": [
            "Renewal discussed; they are considering the premium tier next year.",
            "Research briefing for ILP members: five new seeds presented; most questions on"
            " {topic}.",
        ],
    },
    "followup": {
        "ja": [
            "展示会で名刺交換した{who}に電話。{need}について継続して情報交換したいとのこと。"
            "\n→ {follow}。"
        ],
        "en": [
            "Call after the trade show. {who} confirmed interest in {topic}; budget decision"
            " expected next quarter.\nAction: {follow}."
        ],
    },
    "seeds": {
        "ja": [
            "{topic}の研究シーズ紹介資料と関連論文を送付。先方社内で検討後、面談希望の連絡予定。"
        ],
        "en": [
            "Sent the seed sheet on {topic} and two related papers. They will circulate it"
            " internally and come back to us."
        ],
    },
    "donation": {
        "ja": ["寄付金申込書と受領手続きの案内を送付。使途は奨学金基金を希望。"],
        "en": [
            "Sent the gift agreement form; they prefer to support scholarships for"
            " international students."
        ],
    },
}

ALUMNI_POSITIONS = [
    "研究開発部 主任",
    "エンジニア",
    "Senior Engineer",
    "Data Scientist",
    "研究員",
    "課長",
    "Product Manager",
    "弁理士",
    "R&D Manager",
    "准教授",
    "経営企画部",
    "Consultant",
    "Research Scientist",
    "品質保証部 係長",
]

DONATION_PURPOSES = [
    ("奨学金基金", True),
    ("研究設備の整備（クリーンルーム）", True),
    ("一般寄付", False),
    ("General fund", False),
    ("Scholarships for international students", True),
    ("若手研究者支援基金", True),
    ("創立記念事業", False),
    ("パワーエレクトロニクス研究室への研究助成", True),
    ("Endowed chair in materials informatics", True),
    ("図書館の改修", True),
]

#: Katakana readings officers enter for foreign companies, so they sort and match in kana too.
FOREIGN_READINGS = {
    "Northwind Semiconductor Inc.": "ノースウィンドセミコンダクター",
    "Cobalt Ridge Energy Inc.": "コバルトリッジエナジー",
    "Bluefin Robotics, Inc.": "ブルーフィンロボティクス",
    "Lumen Health Devices, Inc.": "ルーメンヘルスデバイシズ",
    "Redwood Quantum Inc.": "レッドウッドクオンタム",
    "Rheinfeld Materialtechnik GmbH": "ラインフェルトマテリアルテクニク",
    "Kessler Antriebstechnik GmbH": "ケスラーアントリープステクニク",
    "Brandt Medizintechnik GmbH": "ブラントメディツィンテクニク",
    "Hohenau Chemie AG": "ホーエナウケミー",
    "Optique Lumière S.A.": "オプティックリュミエール",
    "Vallée Biotech S.A.S.": "ヴァレーバイオテック",
    "Aérotrace S.A.": "アエロトラース",
    "Hanbit Battery Co., Ltd.": "ハンビットバッテリー",
    "Daeyang Display Co., Ltd.": "テヤンディスプレイ",
    "Seoul Precision Materials Co., Ltd.": "ソウルプレシジョンマテリアルズ",
    "Formosa Wafer Technology Co., Ltd.": "フォルモサウェーハテクノロジー",
    "Tainan Photonics Co., Ltd.": "タイナンフォトニクス",
    "Shenzhen Kaiyuan Power Electronics Co., Ltd.": "シンセンカイゲンパワーエレクトロニクス",
    "Suzhou Greenleaf Biomaterials Co., Ltd.": "ソシュウグリーンリーフバイオマテリアルズ",
    "Hangzhou Zhiyun AI Technology Co., Ltd.": "コウシュウチウンエーアイテクノロジー",
    "Merlion Water Solutions Pte. Ltd.": "マーライオンウォーターソリューションズ",
    "Straits Medtech Pte. Ltd.": "ストレイツメドテック",
    "Thamesbridge Analytics Ltd.": "テムズブリッジアナリティクス",
    "Pennine Composites plc": "ペナインコンポジッツ",
    "Polder Agritech B.V.": "ポルダーアグリテック",
    "Alpstein Pharma AG": "アルプシュタインファーマ",
    "Nordvik Energy AB": "ノルドヴィークエナジー",
    "Saimaa Fibre Innovations Oy": "サイマーファイバーイノベーションズ",
    "Deccan Therapeutics Pvt. Ltd.": "デカンセラピューティクス",
    "Maple Leaf Hydrogen Inc.": "メープルリーフハイドロジェン",
    "Coral Coast Minerals Pty Ltd": "コーラルコーストミネラルズ",
}

#: Follow-on seeds of a topic: (Japanese pattern, English pattern) around the base title.
SEED_VARIANTS = [
    ("{}の実証研究", "Field demonstration of {}"),
    ("{}の低コスト化", "Lower-cost {}"),
    ("{}の量産プロセス開発", "Scaling up {}"),
    ("{}の高性能化（第 2 世代）", "Second-generation {}"),
    ("{}の評価手法の標準化", "Standardised evaluation of {}"),
    ("{}の長期信頼性評価", "Long-term reliability of {}"),
]


def seed_variant(ja: str, en: str, pattern: tuple[str, str]) -> tuple[str, str]:
    """A follow-on seed title in both languages (English-only titles stay English-only)."""
    lower = en[0].lower() + en[1:] if en[1:2].islower() else en
    english = pattern[1].format(lower)
    english = english[0].upper() + english[1:]
    return (english if ja == en else pattern[0].format(ja)), english
