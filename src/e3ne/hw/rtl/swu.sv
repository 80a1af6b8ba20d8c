/**
 * @brief   Sliding-window unit: line buffer and window generator for one conv layer.
 * @author  e3ne
 * @description
 *  Input: an H x WD x C feature map of T-bit activations, HWC raster order, CH channels
 *  per beat (channel k of a beat at idat[k*T +: T]), images back to back.  CH divides C,
 *  or CH = PX*C, PX > 1 whole pixels a beat (pixel k at idat[k*C*T +: C*T]), written in
 *  one cycle into PX column banks: for a window unit whose output beats are fewer than
 *  its input pixels (whole windows or several rows a beat), so that the input, at one
 *  pixel a cycle, is not what holds it back.  PX > 1 needs SIMD >= C, PX <= BN (the PX
 *  pixels land in different column banks) and PX dividing WD (no beat spans two rows).
 *  Output: for every output pixel (oy, ox) in raster order, for a K x KW window (rows x
 *  columns) with strides S, SW and paddings P, PW (KW, SW, PW default to K, S, P; a 1-D
 *  window is K = 1), with
 *      OH = (H + 2P - K)/S + 1,  OW = (WD + 2PW - KW)/SW + 1,
 *  the K*KW*C window elements  x[oy*S - P + ky][ox*SW - PW + kx][c]  in (ky, kx, c) order,
 *  c fastest, SIMD elements per beat (element j of a beat at odat[j*T +: T]);
 *  taps outside the map (zero padding) are 0.  K*KW*C/SIMD beats per window.
 *
 *  Legal SIMD (one of):
 *   (a) SIMD divides C:                    a beat is SIMD channels of one tap;
 *   (b) C divides SIMD, SIMD divides KW*C:  a beat is SIMD/C whole taps of one kernel row;
 *   (c) KW*C divides SIMD, SIMD divides K*KW*C: a beat is SIMD/(KW*C) whole kernel rows.
 *  So e.g. C=1, K=KW=5: SIMD in {1, 5, 25}.
 *  Input width: in case (a) CH and SIMD must divide one another (in (b), (c) CH | C does).
 *  Also 1 <= S, SW; 0 <= P <= K-1, 0 <= PW <= KW-1; H + 2P >= K, WD + 2PW >= KW; CH
 *  divides C.
 *
 *  Beat shape: BM rows x BN columns x BS channels, SIMD = BM*BN*BS:
 *   (a) 1 x 1 x SIMD,  (b) 1 x SIMD/C x C,  (c) SIMD/(KW*C) x KW x C.
 *  Element (i, j, k) of a beat sits at odat[((i*BN + j)*BS + k)*T +: T].
 *
 *  Line buffer: R = max(K + S, 2(K - P) + (H + 2P - K) mod S) live rows: K + S lets the
 *  writer fill the next S rows while a window row is read; the second term lets it fill
 *  the next image's first K - P rows while the last window row of an image is read (it
 *  only exceeds K + S for P < K - S).  Global input row g lives in row slot g mod RP, RP =
 *  R rounded up to a multiple of BM (so images follow each other without a gap).  A beat
 *  reads BM consecutive slots, so slot s lives in row bank s mod BM (BM consecutive slots
 *  are in BM different banks) at row word s / BM; each row bank is split into BN column
 *  banks (column bank b holds columns x with (x + PW) mod BN = b).  Each of the BM*BN
 *  banks is an inferred simple dual-port memory of (RR-1)*DS + D words of BS*T bits, RR = RP/BM row
 *  words of D = ((PW + WD - 1)/BN + 1) * (C/BS) column words; the word for (slot s, x,
 *  channel word cw) is at (s/BM)*DS + ((x + PW)/BN)*(C/BS) + cw, DS = D for BM = 1, else D
 *  rounded up to a power of two (the row word then takes the address's high bits: no adder
 *  in the BM*BN read addresses).  So only the banks a beat
 *  reads exist (one memory per bank of the beat, not one per row slot): the row slot is
 *  part of the address, not a mux in front of the output register.  LB_RAM puts the banks
 *  in LUT (distributed) or block RAM, as the DSE decides (each bank a mem_ram.sv instance
 *  with STYLE = LB_RAM and a registered read).  A gearbox turns CH-channel input beats
 *  into BS-channel words, one written per cycle (PX words, PX > 1).
 *
 *  Flow control: the writer may write input row g while g < (reader's top row, >= 0) + R,
 *  the reader's row as it stood one cycle before (the permission is a register);
 *  the reader starts a window once its last pixel (min(bottom row, H-1), min(right
 *  column, WD-1)) is written.  So, also across images, one beat leaves per cycle while
 *  ordy is high and the input keeps up: without stalls, window w's first beat leaves 3
 *  cycles (word write, bank read, output register) after both its last input word and
 *  the previous window's last beat (tests/hw/test_swu.py checks this cycle model).
 *  Input bandwidth is one BS-channel word per cycle, or PX pixels.
 *
 *  Output register: with one beat per window (SIMD = K*KW*C) and SW < KW, a window after
 *  the first of its output row takes its first KW - SW tap columns from the window before
 *  it (shifted by SW in the output register) and only its last SW columns through the
 *  column-bank mux; a row's first window reads column j from bank j.  Same cycles, far
 *  fewer LUTs for whole windows (the bank mux is KW:1 on SW of KW columns).
 */
module swu #(
	parameter int K = 3,     // kernel rows (window height)
	parameter int S = 1,     // vertical stride
	parameter int P = 0,     // zero padding above and below, 0 .. K-1
	parameter int KW = K,    // kernel columns (window width)
	parameter int SW = S,    // horizontal stride
	parameter int PW = P,    // zero padding left and right, 0 .. KW-1
	parameter int H = 8,     // input height
	parameter int WD = 8,    // input width
	parameter int C = 1,     // channels
	parameter int CH = 1,    // input channels per beat, divides C
	parameter int T = 4,     // bits per activation
	parameter int SIMD = 1,  // window elements per output beat (see legality rule)
	parameter int LB_RAM = 0 // line-buffer banks: 0 distributed (LUT) RAM, 1 block RAM
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,

	// Input Stream
	output	logic  irdy,
	input	logic  ivld,
	input	logic [CH*T-1:0]  idat,

	// Output Stream
	input	logic  ordy,
	output	logic  ovld,
	output	logic [SIMD*T-1:0]  odat
);

	//-----------------------------------------------------------------------
	// Derived parameters (guarded so that an illegal set still elaborates far
	// enough to print the $error below)
	localparam int OH = (H + 2*P >= K)? (H + 2*P - K)/S + 1 : 1;   // output height
	localparam int OW = (WD + 2*PW >= KW)? (WD + 2*PW - KW)/SW + 1 : 1; // output width
	localparam int BS = (SIMD <= C)? SIMD : C;                     // channels per beat
	localparam int BN = (SIMD <= C)? 1 : (SIMD <= KW*C)? SIMD/C : KW; // columns per beat
	localparam int BM = (SIMD <= KW*C)? 1 : SIMD/(KW*C);           // rows per beat
	localparam int NC = C/BS;       // channel words per pixel
	localparam int PX = (CH > C && CH % C == 0)? CH/C : 1;   // pixels per input beat
	localparam int XL = WD - PX;    // first column of a row's last input beat
	localparam int NX = KW/BN;       // column blocks per kernel row
	localparam int NY = K/BM;       // row blocks per window
	localparam int RB = 2*(K - P) + ((H + 2*P >= K)? (H + 2*P - K) % S : 0);  // rows to cross an image boundary
	localparam int R = (K + S > RB)? K + S : RB;   // live line-buffer rows
	localparam int RP = ((R + BM - 1)/BM)*BM;      // row slots, a multiple of BM
	localparam int RR = RP/BM;                     // row words per bank
	localparam int XW = (PW + WD - 1)/BN + 1;   // column words per row and bank
	localparam int D = XW*NC;                  // column words per row word
	// row word stride: D, or with several row banks (BM > 1: a bank address per row bank
	// and column bank) D rounded up to a power of two, so that the row word is the high
	// bits of an address and the BM*BN addresses take no adders
	localparam int DS = (BM > 1)? 2**$clog2(D) : D;
	localparam int DB = (RR - 1)*DS + D;       // bank depth
	localparam int AMAX = (RR - 1)*DS + ((WD + 2*PW)/BN + 2)*NC;  // bound of any computed bank address
	localparam int AW = $clog2(AMAX + 1);          // computed address width
	localparam int IW = ($clog2(DB) > 0)? $clog2(DB) : 1;  // bank index width
	localparam int W = BS*T;        // bank word width
	localparam int HW = ((H + 2*P + K + S > WD + 2*PW + KW + SW)? H + 2*P + K + S : WD + 2*PW + KW + SW) + 2;  // coordinate bound
	localparam int YW = $clog2(HW + 1) + 1;    // signed coordinate width
	localparam int SLW = $clog2(RP + 1);       // row-slot width
	localparam int RBW = ($clog2(BM) > 0)? $clog2(BM) : 1;  // row-bank index width
	localparam int BNW = $clog2(BN + 1);       // bank-column width
	localparam int OHW = $clog2(OH + 1);
	localparam int OWW = $clog2(OW + 1);
	localparam int NYW = $clog2(NY + 1);
	localparam int NXW = $clog2(NX + 1);
	localparam int NCW = $clog2(NC + 1);
	localparam int HWW = $clog2(H + 1);
	localparam int WDW = $clog2(WD + 1);
	localparam int LW = $clog2(2*H + R + 2);    // the writer's row limit (H + WY < YLim)
	// Row word of slot s in row bank rb, times D: the bank's address offset.  A read of
	// the BM slots from s on finds slot s + ((rb - s) mod BM) in bank rb, whose row word is
	// s/BM, or the next one (mod RR) when rb < s mod BM.  A table over the few slots (no
	// divider): each address bit is a function of the slot's bits alone.
	function automatic logic [AW-1:0] row_base(input logic [SLW-1:0] s, input int rb);
		row_base = '0;
		for (int k = 0; k < RP; k++)
			if (32'(s) == k)  row_base = AW'((((k/BM) + ((rb < k % BM)? 1 : 0)) % RR) * DS);
	endfunction
	// slot s's own row word times D (where the writer stores it), as a table
	function automatic logic [AW-1:0] slot_base(input logic [SLW-1:0] s);
		slot_base = '0;
		for (int k = 0; k < RP; k++)
			if (32'(s) == k)  slot_base = AW'((k/BM) * DS);
	endfunction
	// the row word part of the registered read address XA: with one row bank, the row
	// word of slot s; with several, none (the row word takes the address's high bits)
	function automatic logic [AW-1:0] base1(input logic [SLW-1:0] s);
		base1 = (BM == 1)? row_base(s, 0) : '0;
	endfunction
	// the row bank of slot s (s mod BM), as a table
	function automatic logic [RBW-1:0] row_bank(input logic [SLW-1:0] s);
		row_bank = '0;
		for (int k = 0; k < RP; k++)
			if (32'(s) == k)  row_bank = RBW'(k % BM);
	endfunction

	// One beat per window with a stride below its width: a window after the first of its
	// output row keeps NS = KW - SW tap columns of the window before it (the output
	// register shifts them by SW columns), and only the SW new columns pass the
	// column-bank mux; without this, every tap of the window picks its bank there.
	localparam int NS = (NY == 1 && NX == 1 && NC == 1 && SW < KW)? KW - SW : 0;

	//-----------------------------------------------------------------------
	// Parameter checks
	initial begin
		if (K < 1 || S < 1 || KW < 1 || SW < 1 || T < 1 || C < 1 || CH < 1 || SIMD < 1 || H < 1 || WD < 1) begin
			$error("%m: K (%0d), S (%0d), KW (%0d), SW (%0d), T (%0d), C (%0d), CH (%0d), SIMD (%0d), H (%0d), WD (%0d) must all be >= 1",
				K, S, KW, SW, T, C, CH, SIMD, H, WD);
			$finish;
		end
		if (LB_RAM < 0 || LB_RAM > 1) begin
			$error("%m: LB_RAM (%0d) must be 0 (distributed RAM) or 1 (block RAM)", LB_RAM);
			$finish;
		end
		if (P < 0 || P >= K || PW < 0 || PW >= KW) begin
			$error("%m: padding P (%0d), PW (%0d) must lie in 0 .. K-1, 0 .. KW-1 (K = %0d, KW = %0d)", P, PW, K, KW);
			$finish;
		end
		if (H + 2*P < K || WD + 2*PW < KW) begin
			$error("%m: kernel %0d x %0d exceeds the padded input %0d x %0d", K, KW, H + 2*P, WD + 2*PW);
			$finish;
		end
		if (CH <= C && C % CH != 0) begin
			$error("%m: channels C (%0d) are not a multiple of CH (%0d)", C, CH);
			$finish;
		end
		if (CH > C && !(CH % C == 0 && SIMD >= C && CH/C <= BN && WD % (CH/C) == 0)) begin
			$error("%m: CH (%0d) above C (%0d) must be PX = CH/C whole pixels with SIMD (%0d) >= C, PX <= %0d column banks and PX dividing WD (%0d)",
				CH, C, SIMD, BN, WD);
			$finish;
		end
		if (!((C % SIMD == 0) || (SIMD % C == 0 && (KW*C) % SIMD == 0) ||
		      (SIMD % (KW*C) == 0 && (K*KW*C) % SIMD == 0))) begin
			$error("%m: SIMD (%0d) must divide C (%0d), or be a multiple of C dividing KW*C (%0d), or a multiple of KW*C dividing K*KW*C (%0d)",
				SIMD, C, KW*C, K*KW*C);
			$finish;
		end
		if (BS % CH != 0 && CH % BS != 0) begin
			$error("%m: CH (%0d) and SIMD (%0d) must divide one another when SIMD < C (%0d)", CH, SIMD, C);
			$finish;
		end
	end

	//-----------------------------------------------------------------------
	// Writer: gearbox CH channels -> BS-channel words
	logic  wvld;        // a word (PX > 1: PX words) waits to be written
	logic [PX*W-1:0]  wdat;
	logic  wgo;         // it is written in this cycle

	// Input skid register (when a word is one beat or more, CH <= BS, and for PX > 1 whole
	// pixels a beat): irdy is a flip-flop, so the writer's limit compares never reach the
	// upstream core; a beat the gearbox cannot take waits here (no added latency).  A
	// gearbox that splits a beat into CH/BS words takes it directly: a skid would accept
	// the next beat early, and the upstream core would run ahead of the cycle model.
	logic  gvld;        // gearbox input: the skid register's beat, else the input's
	logic [CH*T-1:0]  gdat;
	logic  grdy;

	if (CH <= BS || PX > 1) begin : genSkid
		logic  SkV;
		logic [CH*T-1:0]  SkD;

		assign	irdy = !SkV;
		assign	gvld = SkV || ivld;
		assign	gdat = SkV? SkD : idat;
		always_ff @(posedge clk) begin
			if (rst)  SkV <= 0;
			else  SkV <= gvld && !grdy;
			if (!SkV)  SkD <= idat;
		end
	end : genSkid
	else begin : genDirect
		assign	irdy = grdy;
		assign	gvld = ivld;
		assign	gdat = idat;
	end : genDirect

	if (PX > 1) begin : genWide
		// PX pixels a beat, all written in the cycle they are taken
		assign	wvld = gvld;
		assign	wdat = gdat;
		assign	grdy = wgo;
	end : genWide
	else begin : genWord
		if (CH >= BS) begin : genSplit
			// each input beat yields CH/BS words, lowest channels first
			localparam int NW = CH/BS;
			localparam int CNW = $clog2(NW+1);
			logic [CH*T-1:0]  Buf;
			logic [CNW-1:0]  Cnt;   // words left in Buf

			assign	wvld = Cnt != 0;
			assign	wdat = Buf[W-1:0];
			assign	grdy = (Cnt == 0) || (Cnt == 1 && wgo);
			always_ff @(posedge clk) begin
				if (rst)  Cnt <= 0;
				else if (gvld && grdy)  Cnt <= CNW'(NW);
				else if (wgo)  Cnt <= Cnt - 1;
			end
			always_ff @(posedge clk) begin
				if (gvld && grdy)  Buf <= gdat;
				else if (wgo)  Buf <= Buf >> W;
			end
		end : genSplit
		else begin : genCollect
			// BS/CH input beats form one word, the first beat in the lowest channels
			localparam int NB = BS/CH;
			logic [W-CH*T-1:0]  Acc;             // first NB-1 beats of the word being filled
			logic [$clog2(NB+1)-1:0]  Cnt;       // beats in Acc
			logic [W-1:0]  Word;                 // word waiting for the write port
			logic  WVld;
			logic  take;
			logic [W-1:0]  acc_nx;

			assign	wvld = WVld;
			assign	wdat = Word;
			assign	grdy = (32'(Cnt) != NB-1) || !WVld || wgo;
			assign	take = gvld && grdy;
			assign	acc_nx = {gdat, Acc};
			always_ff @(posedge clk) begin
				if (rst) begin
					Cnt <= 0;
					WVld <= 0;
				end
				else begin
					if (wgo)  WVld <= 0;
					if (take) begin
						if (32'(Cnt) == NB-1) begin
							Cnt <= 0;
							WVld <= 1;
						end
						else  Cnt <= Cnt + 1;
					end
				end
			end
			always_ff @(posedge clk) begin
				if (take) begin
					Acc <= acc_nx[W-1:CH*T];
					if (32'(Cnt) == NB-1)  Word <= acc_nx;
				end
			end
		end : genCollect
	end : genWord

	//-----------------------------------------------------------------------
	// Writer position (next word to write) and reader position (next beat to read)
	logic [HWW-1:0]  WY;      // input row
	logic [WDW-1:0]  WX;      // input column
	logic [NCW-1:0]  WC;      // channel word
	logic [SLW-1:0]  WSlot;   // row slot of WY
	logic [BNW-1:0]  WBank;   // bank column of WX
	// the write address, registered (no adder in front of the banks' write ports):
	// WB = the row word of WSlot + ((WX + PW)/BN)*NC, WA = WB + WC, WA1 = WA + 1 (PX > 1:
	// a bank left of WBank takes its pixel in the next column word)
	logic [AW-1:0]  WB;
	logic [AW-1:0]  WA;
	logic [AW-1:0]  WA1;

	logic [OHW-1:0]  Oy;      // output row
	logic [OWW-1:0]  Ox;      // output column
	logic [NYW-1:0]  Yb;      // row block within the window
	logic [NXW-1:0]  Xb;      // column block within the kernel row
	logic [NCW-1:0]  Cw;      // channel word
	logic [YW-1:0]  Ytp;          // top row of the window + P: oy*S
	logic [YW-1:0]  YtpN;         // the next window row's: Ytp + S
	logic [YW-1:0]  Yrp;          // first row of the beat + P: Ytp + Yb*BM
	logic [SLW-1:0]  ImgSlot;     // row slot of row 0 of the current image
	logic [SLW-1:0]  YtSlot;      // row slot of the window's top row (mod RP, also above row 0)
	logic [SLW-1:0]  RSlot;       // row slot of the beat's first row
	logic [YW-1:0]  OXp;          // ox*SW: left column of the window + PW
	logic [YW-1:0]  OXpN;         // the next window's: OXp + SW
	logic [YW-1:0]  Xp;           // left column of the beat + PW: OXp + Xb*BN
	logic [AW-1:0]  OXQ;          // (OXp/BN)*NC
	logic [BNW-1:0]  OXR;         // OXp mod BN
	// The beat's bank address, registered so that no adder stands between a register and
	// the banks' read ports: XA = (Xp/BN)*NC + Cw (+ the row word of RSlot, BM = 1),
	// XA1 = XA + NC (a bank left of OXR reads the next column word).  Kept beside Xp, Cw
	// and RSlot.
	logic [AW-1:0]  XA;
	logic [AW-1:0]  XA1;
	// the flow control's limits, registered beside Ytp and OXp (each a function of one of
	// them) so that no clamp or add stands in front of the compares that gate the writer
	// All of it in the narrowest widths: a 32-bit compare is a 32-bit carry chain.
	logic [LW-1:0]  YLim;     // max(Ytp - P, 0) + R: rows below it may be written
	logic [LW-1:0]  YLimH;    // max(YLim - H, 0): the same for a writer one image ahead
	logic [HWW-1:0]  YLast;   // min(Ytp - P + K - 1, H - 1): the window's last row
	logic [WDW-1:0]  XLast;   // min(OXp - PW + KW - 1, WD - 1): the window's last column

	// Pipeline enable of the read side (stage 1: bank read, stage 2: output register)
	logic  en;
	logic  issue;     // read one beat in this cycle
	logic  win_ok;    // every pixel of the current window is in the buffer
	logic  wr_ok;     // the writer may write in the next cycle (registered in WrOk)
	logic [1:0]  Diff;        // writer's image - reader's image, mod 4 (3: writer behind)
	logic  w_img_end;         // the writer stores an image's last word
	logic  r_img_end;         // the reader issues an image's last beat

	// Each limit compares its argument with a constant while it adds a constant, so that
	// one carry chain stands between the register it is computed from and its own.
	localparam int CLH = H + P - R;    // y_lim(ytp) > H  <=>  ytp > CLH  (for ytp >= P)
	localparam int CYL = H - K + P;    // y_last(ytp) = H - 1  <=>  ytp > CYL
	localparam int CXL = WD - KW + PW;   // x_last(oxp) = WD - 1  <=>  oxp > CXL
	function automatic logic [LW-1:0] y_lim(input logic [YW-1:0] ytp);
		// max(ytp - P, 0) + R   (with P = 0 the compare is constant)
		/* verilator lint_off UNSIGNED */
		y_lim = (ytp < YW'(P))? LW'(R) : LW'(ytp) + LW'(R - P);
		/* verilator lint_on UNSIGNED */
	endfunction
	function automatic logic [LW-1:0] y_lim_h(input logic [YW-1:0] ytp);
		// max(y_lim(ytp) - H, 0)
		/* verilator lint_off UNSIGNED */
		if (ytp < YW'(P))  y_lim_h = (R > H)? LW'(R - H) : '0;
		/* verilator lint_on UNSIGNED */
		else if (CLH < 0)  y_lim_h = LW'(ytp) + LW'(-CLH);
		/* verilator lint_off CMPCONST */  // (unreachable when CLH < 0)
		else  y_lim_h = (ytp > YW'(CLH))? LW'(ytp) - LW'(CLH) : '0;
		/* verilator lint_on CMPCONST */
	endfunction
	function automatic logic [HWW-1:0] y_last(input logic [YW-1:0] ytp);
		// min(ytp - P + K - 1, H - 1)
		y_last = (CYL < 0 || ytp > YW'(CYL))? HWW'(H - 1) : HWW'(ytp) + HWW'(K - 1 - P);
	endfunction
	function automatic logic [WDW-1:0] x_last(input logic [YW-1:0] oxp);
		// min(oxp - PW + KW - 1, WD - 1)
		x_last = (CXL < 0 || oxp > YW'(CXL))? WDW'(WD - 1) : WDW'(oxp) + WDW'(KW - 1 - PW);
	endfunction
	// (a + b) mod RP for a < RP, b < RP (b a constant at every call)
	function automatic logic [SLW-1:0] slot_add(input logic [SLW-1:0] a, input logic [SLW-1:0] b);
		logic [SLW-1:0]  rb;
		rb = SLW'(RP) - b;
		slot_add = (a >= rb)? a - rb : a + b;
	endfunction

	always_comb begin : blkFlow
		unique case (Diff)
		2'd0:  win_ok = (WY > YLast) || (WY == YLast && WX > XLast);
		2'd3:  win_ok = 0;
		default:  win_ok = 1;
		endcase
	end : blkFlow

	// wr_ok is a register (WrOk): the writer's permission for its position in the next
	// cycle, from that position and the reader's limits of this cycle.  So the writer sees
	// the reader's progress one cycle late, which only delays a write the line buffer was
	// full for (the reader's progress only ever loosens a limit), and no compare stands
	// between a writer register and the enable of the writer's own registers.
	logic  WrOk;
	logic [HWW-1:0]  WYn;     // WY + 1
	logic  w_row_end;         // the word written in this cycle ends an input row
	assign	w_row_end = wgo && 32'(WC) == NC-1 && 32'(WX) == XL;
	always_comb begin : blkWrOk
		logic  same0, same1, next0, next1;
		same0 = LW'(WY) < YLim;
		same1 = LW'(WY) < YLimH;
		next0 = LW'(WYn) < YLim;
		next1 = LW'(WYn) < YLimH;
		if (w_img_end) begin
			// row 0 of the writer's next image, one image further ahead
			unique case (Diff)
			2'd0:  wr_ok = YLimH != 0;
			2'd1:  wr_ok = 0;
			default:  wr_ok = 1;   // (3: it catches up with the reader)
			endcase
		end
		else begin
			unique case (Diff)
			2'd0:  wr_ok = w_row_end? next0 : same0;
			2'd1:  wr_ok = w_row_end? next1 : same1;
			2'd3:  wr_ok = 1;
			default:  wr_ok = 0;
			endcase
		end
	end : blkWrOk
	always_ff @(posedge clk) begin
		if (rst)  WrOk <= 1;
		else  WrOk <= wr_ok;
	end
	assign	wgo = wvld && WrOk;
	assign	issue = en && win_ok;

	//-----------------------------------------------------------------------
	// Writer counters
	logic [AW-1:0]  w_row_nx;     // WB at the next row's first word
	assign	w_row_nx = slot_base((32'(WSlot) == RP-1)? '0 : WSlot + 1) + AW'((PW/BN)*NC);
	always_ff @(posedge clk) begin
		if (rst) begin
			WY <= 0;
			WYn <= 1;
			WX <= 0;
			WC <= 0;
			WSlot <= 0;
			WBank <= BNW'(PW % BN);
			WB <= AW'((PW/BN)*NC);
			WA <= AW'((PW/BN)*NC);
			WA1 <= AW'((PW/BN)*NC + 1);
		end
		else if (wgo) begin
			if (32'(WC) != NC-1) begin
				WC <= WC + 1;
				WA <= WA + 1;
				WA1 <= WA1 + 1;
			end
			else begin
				WC <= 0;
				if (32'(WX) != XL) begin
					WX <= WX + WDW'(PX);
					/* verilator lint_off UNSIGNED */  // (always, with one column bank)
					if (32'(WBank) >= BN-PX) begin
					/* verilator lint_on UNSIGNED */
						WBank <= WBank - BNW'(BN-PX);
						WB <= WB + AW'(NC);
						WA <= WA + 1;     // (WB + NC - 1 + 1)
						WA1 <= WA1 + 1;
					end
					else begin
						WBank <= WBank + BNW'(PX);
						WA <= WB;
						WA1 <= WB + 1;
					end
				end
				else begin
					WX <= 0;
					WBank <= BNW'(PW % BN);
					WB <= w_row_nx;
					WA <= w_row_nx;
					WA1 <= w_row_nx + 1;
					WSlot <= (32'(WSlot) == RP-1)? 0 : WSlot + 1;
					WY <= (32'(WY) != H-1)? WYn : 0;
					WYn <= (32'(WY) != H-1)? WYn + 1 : 1;
				end
			end
		end
	end

	assign	w_img_end = w_row_end && 32'(WY) == H-1;
	assign	r_img_end = issue && 32'(Cw) == NC-1 && 32'(Xb) == NX-1 && 32'(Yb) == NY-1 &&
	                    32'(Ox) == OW-1 && 32'(Oy) == OH-1;
	always_ff @(posedge clk) begin
		if (rst)  Diff <= 0;
		else  Diff <= Diff + 2'(w_img_end) - 2'(r_img_end);
	end

	//-----------------------------------------------------------------------
	// Reader counters
	always_ff @(posedge clk) begin : blkReader
		logic [BNW:0]  r_nx;
		logic [AW:0]  q_nx;
		logic [SLW-1:0]  s_nx, i_nx;
		logic [AW-1:0]  a_nx;
		if (rst) begin
			Oy <= 0;
			Ox <= 0;
			Yb <= 0;
			Xb <= 0;
			Cw <= 0;
			Ytp <= 0;
			YtpN <= YW'(S);
			YLim <= y_lim(0);
			YLimH <= y_lim_h(0);
			YLast <= y_last(0);
			Yrp <= 0;
			ImgSlot <= 0;
			YtSlot <= SLW'((RP - P) % RP);
			RSlot <= SLW'((RP - P) % RP);
			OXp <= 0;
			OXpN <= YW'(SW);
			XLast <= x_last(0);
			Xp <= 0;
			OXQ <= 0;
			OXR <= 0;
			XA <= base1(SLW'((RP - P) % RP));
			XA1 <= base1(SLW'((RP - P) % RP)) + AW'(NC);
		end
		else if (issue) begin
			if (32'(Cw) != NC-1) begin
				Cw <= Cw + 1;
				XA <= XA + 1;
				XA1 <= XA1 + 1;
			end
			else begin
				Cw <= 0;
				if (32'(Xb) != NX-1) begin
					// the next column word, channel word 0: (Xp/BN)*NC + NC = XA - (NC - 1) + NC
					Xb <= Xb + 1;
					XA <= XA + 1;
					XA1 <= XA1 + 1;
					Xp <= Xp + YW'(BN);
				end
				else begin
					Xb <= 0;
					if (32'(Yb) != NY-1) begin
						Yb <= Yb + 1;
						Xp <= OXp;
						Yrp <= Yrp + YW'(BM);
						s_nx = slot_add(RSlot, SLW'(BM % RP));
						RSlot <= s_nx;
						a_nx = base1(s_nx) + OXQ;
						XA <= a_nx;
						XA1 <= a_nx + AW'(NC);
					end
					else begin
						Yb <= 0;
						if (32'(Ox) != OW-1) begin
							// next window in this row: move right by SW
							Ox <= Ox + 1;
							r_nx = (BNW+1)'(OXR) + (BNW+1)'(SW % BN);
							q_nx = (AW+1)'(OXQ) + (AW+1)'((SW/BN)*NC);
							if (r_nx >= (BNW+1)'(BN)) begin
								r_nx = r_nx - (BNW+1)'(BN);
								q_nx = q_nx + (AW+1)'(NC);
							end
							OXR <= BNW'(r_nx);
							OXQ <= AW'(q_nx);
							OXp <= OXpN;
							OXpN <= OXpN + YW'(SW);
							XLast <= x_last(OXpN);
							Xp <= OXpN;
							Yrp <= Ytp;
							RSlot <= YtSlot;
							a_nx = base1(YtSlot) + AW'(q_nx);
							XA <= a_nx;
							XA1 <= a_nx + AW'(NC);
						end
						else begin
							Ox <= 0;
							OXR <= 0;
							OXQ <= 0;
							OXp <= 0;
							OXpN <= YW'(SW);
							XLast <= x_last(0);
							Xp <= 0;
							if (32'(Oy) != OH-1) begin
								// next window row: move down by S
								Oy <= Oy + 1;
								Ytp <= YtpN;
								YtpN <= YtpN + YW'(S);
								YLim <= y_lim(YtpN);
								YLimH <= y_lim_h(YtpN);
								YLast <= y_last(YtpN);
								Yrp <= YtpN;
								s_nx = slot_add(YtSlot, SLW'(S % RP));
								YtSlot <= s_nx;
								RSlot <= s_nx;
								XA <= base1(s_nx);
								XA1 <= base1(s_nx) + AW'(NC);
							end
							else begin
								// next image
								Oy <= 0;
								Ytp <= 0;
								YtpN <= YW'(S);
								YLim <= y_lim(0);
								YLimH <= y_lim_h(0);
								YLast <= y_last(0);
								Yrp <= 0;
								i_nx = slot_add(ImgSlot, SLW'(H % RP));
								ImgSlot <= i_nx;
								s_nx = slot_add(ImgSlot, SLW'((H % RP + RP - P) % RP));
								YtSlot <= s_nx;
								RSlot <= s_nx;
								XA <= base1(s_nx);
								XA1 <= base1(s_nx) + AW'(NC);
							end
						end
					end
				end
			end
		end
	end : blkReader

	//-----------------------------------------------------------------------
	// Beat geometry of the current read: beat row i reads slot RSlot + i from row bank
	// (RSlot + i) mod BM (masked when the row is padding), beat column j reads bank column
	// col[j] (masked when the column is padding); and the bank addresses
	logic [BM-1:0]  row_ok;
	logic [BN*BNW-1:0]  col;
	logic [BN-1:0]  col_ok;
	logic [BM*BN*IW-1:0]  raddr;    // read address of bank (row bank rb, column b)
	logic [IW-1:0]  waddr;

	always_comb begin : blkGeometry
		logic [YW:0]  y_i, x_j;
		logic [BNW:0]  bc;
		logic [AW-1:0]  a;
		/* verilator lint_off UNSIGNED */  // with P = 0 or PW = 0 a lower bound is constant
		for (int i = 0; i < BM; i++) begin
			y_i = (YW+1)'(Yrp) + (YW+1)'(i);
			row_ok[i] = y_i >= (YW+1)'(P) && y_i < (YW+1)'(P + H);
		end
		for (int j = 0; j < BN; j++) begin
			x_j = (YW+1)'(Xp) + (YW+1)'(j);
			bc = (BNW+1)'(OXR) + (BNW+1)'(j);
			if (bc >= (BNW+1)'(BN))  bc = bc - (BNW+1)'(BN);
			col[j*BNW +: BNW] = BNW'(bc);
			col_ok[j] = x_j >= (YW+1)'(PW) && x_j < (YW+1)'(PW + WD);
		end
		/* verilator lint_on UNSIGNED */
		for (int b = 0; b < BN; b++) begin
			// bank b holds the tap at the smallest column >= Xp that is = b (mod BN)
			// (beyond the row word only for padded taps, which are masked below)
			// (BM = 1: XA holds the row word's offset too)
			a = (BNW'(b) < OXR)? XA1 : XA;
			for (int rb = 0; rb < BM; rb++)
				// (BM > 1: the row word in the high bits; a column address past the row
				// word is a padded tap's, masked below, so dropping its high bits is safe)
				raddr[(rb*BN + b)*IW +: IW] = (BM > 1)? IW'(row_base(RSlot, rb) | (a & AW'(DS - 1))) : IW'(a);
		end
	end : blkGeometry
	// the write address is the register WA (with PX > 1, a bank left of WBank takes WA1,
	// its pixel's next column word: see genPix)
	assign	waddr = IW'(WA);

	//-----------------------------------------------------------------------
	// Line-buffer banks
	logic [BM*BN*W-1:0]  rd;      // stage 1: bank words read
	logic [RBW-1:0]  wrow;        // the row bank the writer writes
	assign	wrow = row_bank(WSlot);

	for (genvar r = 0; r < BM; r++) begin : genRow
		for (genvar b = 0; b < BN; b++) begin : genCol
			// The style is a placement decision of the DSE, not the synthesis tool's guess.
			logic  bank_we;
			logic [IW-1:0]  bank_wa;
			logic [W-1:0]  bank_wd;
			logic [W-1:0]  Rd;
			if (PX > 1) begin : genPix
				// pixel k = (b - WBank) mod BN of the beat, when k < PX
				always_comb begin
					bank_we = 0;
					bank_wd = wdat[W-1:0];
					for (int k = 0; k < PX; k++)
						if (32'(WBank) == (b + BN - k) % BN) begin   // (WBank + k) mod BN == b
							bank_we = wgo && 32'(wrow) == r;
							bank_wd = wdat[k*W +: W];
						end
				end
				assign	bank_wa = (b < 32'(WBank))? IW'(WA1) : waddr;
			end : genPix
			else begin : genOne
				assign	bank_we = wgo && 32'(wrow) == r && 32'(WBank) == b;
				assign	bank_wa = waddr;
				assign	bank_wd = wdat;
			end : genOne
			mem_ram #(
				.DEPTH(DB), .WIDTH(W), .STYLE(LB_RAM), .WRITE(1), .RD_REG(1)
			) inst_bank (
				.clk,
				.we(bank_we), .waddr(bank_wa), .wdat(bank_wd),
				.re(en), .raddr(raddr[(r*BN + b)*IW +: IW]), .rdat(Rd)
			);
			assign	rd[(r*BN + b)*W +: W] = Rd;
		end : genCol
	end : genRow

	//-----------------------------------------------------------------------
	// Stage 1 side band and output register
	logic  V1;
	logic [BM*RBW-1:0]  Rot1;   // the row bank of each beat row
	logic [BM-1:0]  RowOk1;
	logic [BN*BNW-1:0]  Col1;
	logic [BN-1:0]  ColOk1;
	logic  Shift1;   // the beat is not the first window of its output row (NS > 0 only)
	logic  OVld;
	logic [SIMD*T-1:0]  ODat;
	logic [SIMD*T-1:0]  odat_nx;

	assign	en = !OVld || ordy;
	always_ff @(posedge clk) begin
		if (rst) begin
			V1 <= 0;
			OVld <= 0;
		end
		else if (en) begin
			V1 <= win_ok;
			OVld <= V1;
		end
	end
	always_ff @(posedge clk) begin
		if (en) begin
			for (int i = 0; i < BM; i++)  Rot1[i*RBW +: RBW] <= row_bank(slot_add(RSlot, SLW'(i % RP)));
			RowOk1 <= row_ok;
			Col1 <= col;
			ColOk1 <= col_ok;
			Shift1 <= Ox != 0;
		end
		// only a beat loads the output register: it then holds the last window, whose
		// columns the next window of the row keeps
		if (en && V1)  ODat <= odat_nx;
	end

	// Pick beat row i from its row bank (a rotation by the first row's bank: a BM-way
	// select, none when a beat is one row), tap j from its bank column (or, NS > 0, from
	// the last window): indexed selects (balanced mux trees, not a priority chain);
	// padded taps read 0 (arrays padded to a power of two so that the index fits; the
	// extra entries are 0)
	logic [BN*W-1:0]  rows [2**RBW];
	always_comb
		for (int r = 0; r < 2**RBW; r++)  rows[r] = (r < BM)? rd[r*BN*W +: BN*W] : '0;
	always_comb begin : blkAssemble
		logic [W-1:0]  taps [2**BNW];
		logic [BN*W-1:0]  row;
		for (int i = 0; i < BM; i++) begin
			row = rows[Rot1[i*RBW +: RBW]] & {(BN*W){RowOk1[i]}};
			for (int b = 0; b < 2**BNW; b++)  taps[b] = (b < BN)? row[b*W +: W] : '0;
			for (int j = 0; j < BN; j++)
				if (j < NS)
					// the first window of a row reads tap column j from bank j (its
					// column offset is 0); a later one keeps column j + SW of the last
					odat_nx[(i*BN + j)*W +: W] = Shift1? ODat[(i*BN + (j + SW) % BN)*W +: W] :
					                                     row[j*W +: W] & {W{ColOk1[j]}};
				else
					odat_nx[(i*BN + j)*W +: W] = taps[Col1[j*BNW +: BNW]] & {W{ColOk1[j]}};
		end
	end : blkAssemble

	assign	ovld = OVld;
	assign	odat = ODat;

endmodule : swu
